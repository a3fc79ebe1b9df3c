"""What the data means: activity types and their measures (activity_types.toml)."""
