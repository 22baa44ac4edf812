//! The server's own settings (not the client's): how many worker threads, and whether the
//! test-only requests are answered.

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Worker threads for request handlers and diagnostics.
    pub threads: usize,
    /// Also answer the test-only requests `vitte/testPanic`, `vitte/testSleep`,
    /// `vitte/documentText` and `vitte/diagnostics` (off in the binary).
    pub test_hooks: bool,
}

impl Default for Config {
    fn default() -> Config {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(2, 4);
        Config {
            threads,
            test_hooks: false,
        }
    }
}
