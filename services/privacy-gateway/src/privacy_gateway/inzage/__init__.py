"""Access requests (art. 15 AVG): what was disclosed about one person, to whom, when and why."""
