"""Partner endpoints: cases as the covenant policy allows, and policy evaluations."""
