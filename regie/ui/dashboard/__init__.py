"""The home screen (Tableau de bord): the festival at a glance, and what needs doing."""
