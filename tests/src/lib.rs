//! Conformance test harness (being written).
