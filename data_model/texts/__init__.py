"""Text people read and type: numbers and dates the Vietnamese or English way, checks on typed text."""
