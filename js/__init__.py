"""JavaScript sources the runtime evaluates in the engine at start (shipped as ``bridge._js``)."""
