//! Remote registries: the reference grammar, the HTTP client and the docker CLI's credential store.
