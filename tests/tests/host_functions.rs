//! Host functions (the embedder's natives): signatures derived from typed closures, calls from Vitte by
//! plain and dotted names, compile errors for misuse, and load errors when the module and the VM
//! disagree on a host function.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::Path;
use std::rc::Rc;

use vitte_compiler::loader::FileLoader;
use vitte_compiler::{Compilation, CompileOptions, compile_with_options};
use vitte_vm::bytecode::Module;
use vitte_vm::{HostSignature, NativeSignature, NativeType, Vm};

/// Serves one source text as `main.vit`.
struct OneFile(&'static str);

impl FileLoader for OneFile {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == Path::new("main.vit") {
            Ok(self.0.to_string())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }
}

fn compile(source: &'static str, hosts: Vec<HostSignature>) -> Compilation {
    let options = CompileOptions {
        host_functions: hosts,
    };
    compile_with_options(&OneFile(source), Path::new("main.vit"), &options)
}

fn module(source: &'static str, hosts: Vec<HostSignature>) -> Module {
    let compilation = compile(source, hosts);
    match compilation.module {
        Some(module) => module,
        None => panic!("{}", compilation.render_diagnostics()),
    }
}

fn host(name: &str, params: Vec<NativeType>, ret: NativeType) -> HostSignature {
    HostSignature {
        name: name.to_string(),
        signature: NativeSignature::new(params, ret),
    }
}

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

/// A VM with a few typed host functions.
fn host_vm() -> Vm {
    let mut vm = Vm::new();
    vm.register_native("host.add", |a: i64, b: i64| a + b);
    vm.register_native("host.scale", |x: f64, by: f64| x * by);
    vm.register_native("host.shout", |text: String| text.to_uppercase());
    vm.register_native("host.lookup", |key: String| {
        (key == "known").then(|| "found".to_string())
    });
    vm.register_native("is_even", |n: i64| n % 2 == 0);
    vm.register_native("nothing", || {});
    vm.register_native("host.fail", |message: String| -> Result<i64, String> {
        Err(message)
    });
    vm
}

fn run(source: &'static str) -> (Result<i32, String>, String) {
    let mut vm = host_vm();
    let module = module(source, vm.host_signatures());
    let out = Captured::default();
    vm.set_stdout(Box::new(out.clone()));
    vm.load_module(module)
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let result = vm.run().map_err(|error| error.message);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    (result, text)
}

#[test]
fn signatures_follow_the_closure_types() {
    let vm = host_vm();
    let listed: Vec<String> = vm
        .host_signatures()
        .iter()
        .map(|h| format!("{}{}", h.name, h.signature))
        .collect();
    assert_eq!(
        listed,
        [
            "host.add(int, int) -> int",
            "host.scale(float, float) -> float",
            "host.shout(string) -> string",
            "host.lookup(string) -> ?string",
            "is_even(int) -> bool",
            "nothing() -> void",
            "host.fail(string) -> int",
        ]
    );
    assert!(
        !vm.host_signatures().iter().any(|h| h.name == "print"),
        "built-ins are not host functions"
    );
}

#[test]
fn vitte_calls_host_functions_by_dotted_and_plain_names() {
    let (result, out) = run(r#"
proc main() {
    print(host.add(40, 2));
    print(host.scale(1.5, 2.0));
    print(host.shout("quiet"));
    print(host.lookup("known"));
    print(host.lookup("other"));
    print(is_even(4));
    nothing();
}
"#);
    assert_eq!(result, Ok(0));
    assert_eq!(out, "42\n3.0\nQUIET\nfound\nnull\ntrue\n");
}

#[test]
fn an_error_result_is_a_runtime_error() {
    let (result, _) = run(r#"
proc main() {
    print(host.fail("the host refused"));
}
"#);
    assert_eq!(result, Err("the host refused".to_string()));
}

#[test]
fn misuse_is_a_compile_error() {
    let hosts = host_vm().host_signatures();
    let wrong_arity = compile("proc main() { print(host.add(1)); }", hosts.clone());
    assert!(
        wrong_arity
            .render_diagnostics()
            .contains("host.add takes 2 arguments but 1 was given"),
        "{}",
        wrong_arity.render_diagnostics()
    );
    let wrong_type = compile("proc main() { print(host.add(\"1\", 2)); }", hosts);
    assert!(
        wrong_type
            .render_diagnostics()
            .contains("expected int, found string"),
        "{}",
        wrong_type.render_diagnostics()
    );
    let unknown = compile("proc main() { print(host.add(1, 2)); }", Vec::new());
    assert!(unknown.has_errors());
}

#[test]
fn a_local_variable_keeps_its_meaning() {
    // `host` is a local variable here, so `host.add` is not the host function.
    let hosts = host_vm().host_signatures();
    let shadowed = compile(
        "proc main() { let host = 1; print(host.add(1, 2)); }",
        hosts,
    );
    assert!(shadowed.has_errors());
}

#[test]
fn a_wrong_arity_or_type_is_rejected_at_load() {
    let declared_arity = module(
        "proc main() { print(host.add(1)); }",
        vec![host("host.add", vec![NativeType::Int], NativeType::Int)],
    );
    let mut vm = host_vm();
    let error = vm
        .load_module(declared_arity)
        .map(|_| ())
        .map_err(|e| e.to_string());
    let message = error.expect_err("a one-argument host.add must not bind");
    assert!(
        message.contains(
            "native function 'host.add' is declared as (int) -> int, but the VM provides (int, int) -> int"
        ),
        "{message}"
    );

    let declared_types = module(
        "proc main() { print(host.add(\"a\", 1)); }",
        vec![host(
            "host.add",
            vec![NativeType::Str, NativeType::Int],
            NativeType::Int,
        )],
    );
    let message = host_vm()
        .load_module(declared_types)
        .map(|_| ())
        .map_err(|e| e.to_string())
        .expect_err("a string argument must not bind to an int parameter");
    assert!(
        message.contains("declared as (string, int) -> int, but the VM provides (int, int) -> int"),
        "{message}"
    );
}

#[test]
fn a_missing_host_function_is_rejected_at_load() {
    let module = module(
        "proc main() { print(host.missing(1)); }",
        vec![host("host.missing", vec![NativeType::Int], NativeType::Int)],
    );
    let message = Vm::new()
        .load_module(module)
        .map(|_| ())
        .map_err(|e| e.to_string())
        .expect_err("a VM without host.missing must refuse the module");
    assert!(
        message.contains("unknown native function 'host.missing'"),
        "{message}"
    );
}
