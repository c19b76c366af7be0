"""The dataspace hub: membership, credentials, the signed directory, and the federated catalog."""
