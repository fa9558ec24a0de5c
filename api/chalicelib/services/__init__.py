"""Use cases: what people do with complaints. They depend on a repository, never on AWS or HTTP."""
