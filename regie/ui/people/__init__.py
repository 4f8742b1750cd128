"""People at the laptop: login, the users screen (admins) and the audit trail screen."""
