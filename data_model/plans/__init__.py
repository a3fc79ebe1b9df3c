"""The yearly plan: targets, the plan file, progress against the plan."""
