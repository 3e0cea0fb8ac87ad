"""The product's actions, one module each: they take their dependencies (services.deps.Deps,
or the few parts they use) and return plain results that each surface renders."""
