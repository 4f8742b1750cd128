"""People at the office laptop: who they are (a name, a role, a PIN), what each role may do and
who is acting now. The trail of what they changed is :mod:`regie.audit`, above the areas."""
