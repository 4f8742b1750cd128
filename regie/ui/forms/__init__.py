"""Fields and dialogs every screen shares: the typed date, the file dialogs."""
