"""The data plane: transfer tokens minted and checked, the provider serving an agreed dataset, and the
consumer pulling it."""
