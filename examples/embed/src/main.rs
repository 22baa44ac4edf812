//! Embedding Vitte VM: register host functions, tell the compiler their signatures, run a script under
//! heap and step limits with a closed sandbox. `cargo run -p vitte-embed-example` runs `script.vit`
//! next to this crate's manifest; the test at the bottom runs it in-process and checks its output.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;

use vitte_compiler::{CompileOptions, FsLoader, compile_with_options};
use vitte_vm::{NativeSignature, NativeType, Vm, VmConfig};

/// Lines the script sent to the host with `log_line`.
type Log = Rc<RefCell<Vec<String>>>;

/// A VM for untrusted scripts, with the example's host functions.
fn vm_with_host_functions(log: &Log) -> Vm {
    let config = VmConfig {
        max_heap: Some(64 << 20),
        max_steps: Some(10_000_000),
        max_depth: 10_000,
        ..VmConfig::default()
    };
    let mut vm = Vm::with_config(config);
    // Typed closures: the signature follows from the Rust types.
    vm.register_native("host.add", |a: i64, b: i64| a + b);
    vm.register_native("host.greet", |name: String| format!("hello, {name}"));
    vm.register_native("host.checked_div", |a: i64, b: i64| {
        if b == 0 {
            Err("host.checked_div: division by zero".to_string())
        } else {
            Ok(a / b)
        }
    });
    let log = Rc::clone(log);
    vm.register_native("log_line", move |line: String| log.borrow_mut().push(line));
    // The lower-level form, for natives that read the heap: `host.sum(xs: [int]) -> int`.
    vm.register_native_raw(
        "host.sum",
        NativeSignature::new(vec![NativeType::array(NativeType::Int)], NativeType::Int),
        |ctx, args| {
            let &[xs] = args else {
                return Err(vitte_vm::Trap::new("host.sum takes one argument"));
            };
            let items = &ctx.heap.array(xs)?.items;
            Ok(items.iter().map(|&x| x as i64).sum::<i64>() as u64)
        },
    );
    vm
}

/// Compiles and runs `script`, sending its output to `stdout`; gives `main`'s exit code, or the
/// compile, load or runtime error as text.
fn run(script: &Path, stdout: Box<dyn Write>, log: &Log) -> Result<i32, String> {
    let mut vm = vm_with_host_functions(log);
    let options = CompileOptions {
        host_functions: vm.host_signatures(),
    };
    let compilation = compile_with_options(&FsLoader, script, &options);
    let Some(module) = compilation.module else {
        return Err(compilation.render_diagnostics());
    };
    vm.set_stdout(stdout);
    vm.load_module(module).map_err(|error| error.to_string())?;
    vm.run().map_err(|error| error.to_string())
}

fn main() -> ExitCode {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("script.vit");
    let log = Log::default();
    match run(&script, Box::new(io::stdout()), &log) {
        Ok(code) => {
            for line in log.borrow().iter() {
                println!("host log: {line}");
            }
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test keeps a handle to.
    #[derive(Clone, Default)]
    struct Captured(Rc<RefCell<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_example_script_runs() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("script.vit");
        let out = Captured::default();
        let log = Log::default();
        let code = run(&script, Box::new(out.clone()), &log);
        assert_eq!(code, Ok(0));
        let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
        assert_eq!(text, "42\nhello, Vitte\n10\n42\n");
        assert_eq!(*log.borrow(), ["sent to the host's log"]);
    }
}
