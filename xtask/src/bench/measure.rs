//! One run of a benchmark program: its wall time, the peak resident memory of its process and
//! what it printed on stdout.
//!
//! The peak memory is the child's own maximum resident set size as the kernel counted it, read
//! when the runner reaps the child with `wait4` (so nothing samples the process while it runs, and
//! no `time` program sits between the runner and the program). Where there is no `wait4` (not a
//! Unix), the peak is unknown and the tables say "n/a".

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What one run of a program measured.
#[derive(Debug)]
pub struct Run {
    /// From just before the program was started to just after it was reaped.
    pub wall_time: Duration,
    /// The peak resident memory of the process, in bytes, when the system reports it.
    pub peak_memory: Option<u64>,
    pub status: ExitStatus,
    pub stdout: String,
}

/// Runs `command` to its end with stdin empty, stdout captured and stderr inherited (so a
/// program's complaints show where the runner's progress does).
pub fn run_once(command: &mut Command) -> io::Result<Run> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = command.spawn()?;
    let mut stdout = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_end(&mut stdout)?;
    }
    let (status, peak_memory) = wait_with_peak_memory(&mut child)?;
    let wall_time = start.elapsed();
    Ok(Run {
        wall_time,
        peak_memory,
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
    })
}

/// Waits for `child` and reads its peak resident memory from the kernel's accounting.
#[cfg(unix)]
fn wait_with_peak_memory(child: &mut Child) -> io::Result<(ExitStatus, Option<u64>)> {
    use std::os::unix::process::ExitStatusExt;

    let pid = libc::pid_t::try_from(child.id())
        .map_err(|_| io::Error::other("the process id does not fit a pid_t"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is a plain C struct of integers, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is a child of this process that nothing has reaped yet (the `Child` is only
        // waited for here, and is not used after this reaps it); `status` and `usage` are live,
        // writable locals of the types `wait4` expects.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let max_rss = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    Ok((ExitStatus::from_raw(status), Some(max_rss * MAX_RSS_UNIT)))
}

/// The unit of `ru_maxrss` in bytes: bytes on macOS, kibibytes on Linux and the BSDs.
#[cfg(unix)]
const MAX_RSS_UNIT: u64 = if cfg!(target_os = "macos") { 1 } else { 1024 };

/// Waits for `child`; the peak memory is unknown.
#[cfg(not(unix))]
fn wait_with_peak_memory(child: &mut Child) -> io::Result<(ExitStatus, Option<u64>)> {
    Ok((child.wait()?, None))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_run_gives_the_output_the_status_and_a_peak() {
        let run = run_once(Command::new("sh").args(["-c", "echo one; echo two"])).unwrap();
        assert!(run.status.success());
        assert_eq!(run.stdout, "one\ntwo\n");
        assert!(run.peak_memory.is_some_and(|bytes| bytes > 0));

        let run = run_once(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert_eq!(run.status.code(), Some(3));
    }
}
