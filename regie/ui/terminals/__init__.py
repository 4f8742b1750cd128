"""The Terminals section: the fleet, configuration pushes, journal pulls, their history."""
