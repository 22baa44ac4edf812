//! The `vitte` command line (being written).
