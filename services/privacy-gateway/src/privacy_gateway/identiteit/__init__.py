"""Identity disclosure with four eyes: request, approval by another person, unsealing."""
