"""People at the office laptop: who they are (a name, a role, a PIN), what each role may do,
who is acting now, and the audit trail of every change to money and equipment."""
