"""Domain records and the rules about them. Nothing in this package may import Qt."""
