"""Joint activities: two units' records of one event found, reviewed, merged (credit to both) or dismissed."""
