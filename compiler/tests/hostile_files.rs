//! Files a hostile user or client may name as a program: devices that never end, FIFOs that block,
//! folders and oversized files are refused with a reason, before anything large is allocated,
//! and a program that `use`s one gets a diagnostic instead of hanging the compiler.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use vitte_compiler::compile_file;
use vitte_compiler::loader::{MAX_FILE_BYTES, read_regular_file, read_source_file};

/// An empty scratch folder of this test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("vitte-hostile-files-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("the scratch folder is created");
    dir
}

#[test]
fn a_regular_file_is_read_whole() {
    let dir = scratch("regular");
    let path = dir.join("main.vit");
    fs::write(&path, "proc main() {}\n").expect("written");
    assert_eq!(read_source_file(&path).expect("read"), "proc main() {}\n");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_is_refused() {
    let dir = scratch("folder");
    let error = read_regular_file(&dir).expect_err("a folder is not a file");
    assert_eq!(error.kind(), ErrorKind::IsADirectory);
    let _ = fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_device_that_never_ends_is_refused_at_once() {
    let error = read_regular_file(Path::new("/dev/zero")).expect_err("a device is refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.to_string(), "it is not a regular file");
    let compilation = compile_file(Path::new("/dev/zero"));
    assert!(compilation.has_errors());
    assert!(
        compilation
            .render_diagnostics()
            .contains("cannot read /dev/zero: it is not a regular file"),
        "{}",
        compilation.render_diagnostics()
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.vit");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|status| status.success());
    assert!(made, "mkfifo makes a FIFO");
    // Opening it for reading would wait for a writer that never comes.
    let error = read_source_file(&fifo).expect_err("a FIFO is refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_file_over_the_limit_is_refused() {
    let dir = scratch("large");
    let path = dir.join("large.vit");
    // A sparse file: no disk space is used, but its length is over the limit.
    File::create(&path)
        .and_then(|file| file.set_len(MAX_FILE_BYTES + 1))
        .expect("the file is made");
    let error = read_regular_file(&path).expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::FileTooLarge);
    assert_eq!(error.to_string(), "it is larger than 64 MiB");
    let _ = fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_use_of_a_device_is_a_diagnostic() {
    let dir = scratch("use-device");
    let main = dir.join("main.vit");
    fs::write(&main, "use zero\nproc main() {}\n").expect("written");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.vit")).expect("linked");
    let compilation = compile_file(&main);
    let rendered = compilation.render_diagnostics();
    assert!(rendered.contains("it is not a regular file"), "{rendered}");
    let _ = fs::remove_dir_all(&dir);
}
