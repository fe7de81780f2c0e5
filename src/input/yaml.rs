//! YAML read with a budget: aliases, nodes, bytes and depth.
