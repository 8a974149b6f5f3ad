"""The attention officer's queue (werkvoorraad): searching the municipality's signals and assigning them."""
