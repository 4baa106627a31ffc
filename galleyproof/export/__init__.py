"""Journal submission packages: profiles, pre-submission checks, packagers."""
