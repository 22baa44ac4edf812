//! Shared helpers of the interpreter tests: a small module builder whose functions are written in
//! assembler text (`vitte_vm::bytecode::asm`), and a runner that captures the program's output.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{self, Cursor, Write};
use std::rc::Rc;

use vitte_vm::bytecode::{
    CaseDef, Constant, FieldDef, FormDef, Function, FunctionDebug, GlobalDef, Instr, LineEntry,
    Module, NativeImport, PickDef, SourceFile, Type, TypeId,
};
use vitte_vm::{RuntimeError, Vm, VmConfig};

/// The source path every test module claims to come from.
pub const FILE: &str = "test.vit";

/// Builds a [`Module`] by hand.
pub struct Builder {
    pub module: Module,
    next_line: u32,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        let mut module = Module::default();
        module.sources.push(SourceFile {
            path: FILE.into(),
            text: String::new(),
        });
        Builder {
            module,
            next_line: 1,
        }
    }

    /// Interns a type.
    pub fn ty(&mut self, ty: Type) -> TypeId {
        self.module.intern_type(ty)
    }
    pub fn int(&mut self) -> TypeId {
        self.ty(Type::Int)
    }
    pub fn float(&mut self) -> TypeId {
        self.ty(Type::Float)
    }
    pub fn bool(&mut self) -> TypeId {
        self.ty(Type::Bool)
    }
    pub fn string(&mut self) -> TypeId {
        self.ty(Type::Str)
    }
    pub fn void(&mut self) -> TypeId {
        self.ty(Type::Void)
    }
    pub fn array(&mut self, element: TypeId) -> TypeId {
        self.ty(Type::Array(element))
    }
    pub fn map(&mut self, key: TypeId, value: TypeId) -> TypeId {
        self.ty(Type::Map(key, value))
    }
    pub fn nullable(&mut self, inner: TypeId) -> TypeId {
        self.ty(Type::Nullable(inner))
    }

    /// Adds a constant, returning its index.
    pub fn constant(&mut self, constant: Constant) -> u32 {
        self.module.constants.push(constant);
        (self.module.constants.len() - 1) as u32
    }
    pub fn str_const(&mut self, text: &str) -> u32 {
        self.constant(Constant::Str(text.into()))
    }

    /// Adds a global, returning its index.
    pub fn global(&mut self, name: &str, ty: TypeId) -> u32 {
        self.module.globals.push(GlobalDef {
            name: name.into(),
            ty,
        });
        (self.module.globals.len() - 1) as u32
    }

    /// Adds a native import, returning its index.
    pub fn native(&mut self, name: &str, params: &[TypeId], ret: TypeId) -> u32 {
        self.module.natives.push(NativeImport {
            name: name.into(),
            params: params.to_vec(),
            ret,
        });
        (self.module.natives.len() - 1) as u32
    }

    /// Imports `print(string)`.
    pub fn print(&mut self) -> u32 {
        let (string, void) = (self.string(), self.void());
        self.native("print", &[string], void)
    }

    /// Adds a form, returning its type.
    pub fn form(&mut self, name: &str, fields: &[(&str, TypeId)]) -> TypeId {
        let fields = fields
            .iter()
            .map(|&(name, ty)| FieldDef {
                name: name.into(),
                ty,
            })
            .collect();
        self.module.forms.push(FormDef {
            name: name.into(),
            fields,
        });
        let index = (self.module.forms.len() - 1) as u32;
        self.ty(Type::Form(index))
    }

    /// Adds a pick, returning its type.
    pub fn pick(&mut self, name: &str, cases: &[(&str, &[(&str, TypeId)])]) -> TypeId {
        let cases = cases
            .iter()
            .map(|&(name, fields)| CaseDef {
                name: name.into(),
                fields: fields
                    .iter()
                    .map(|&(name, ty)| FieldDef {
                        name: name.into(),
                        ty,
                    })
                    .collect(),
            })
            .collect();
        self.module.picks.push(PickDef {
            name: name.into(),
            cases,
        });
        let index = (self.module.picks.len() - 1) as u32;
        self.ty(Type::Pick(index))
    }

    /// The line the next function's first instruction is on. Instruction `pc` of a function added
    /// by [`function`](Builder::function) is on line `first_line + pc`, column `pc + 1`.
    pub fn next_line(&self) -> u32 {
        self.next_line
    }

    /// Adds a function, returning its index. The first `params` registers are its parameters.
    pub fn function(
        &mut self,
        name: &str,
        params: u16,
        ret: TypeId,
        registers: &[TypeId],
        code: impl Code,
    ) -> u32 {
        let code = code.instructions();
        let line = self.next_line;
        let lines = (0..code.len() as u32)
            .map(|pc| LineEntry {
                pc,
                line: line + pc,
                col: pc + 1,
                is_stmt: true,
            })
            .collect();
        self.next_line += code.len() as u32 + 10;
        self.module.functions.push(Function {
            name: name.into(),
            param_count: params,
            ret,
            registers: registers.to_vec(),
            code,
            handlers: Vec::new(),
            debug: FunctionDebug {
                file: 0,
                line,
                col: 1,
                lines,
                locals: Vec::new(),
            },
        });
        (self.module.functions.len() - 1) as u32
    }

    /// Adds `main` and makes it the entry.
    pub fn main(&mut self, ret: TypeId, registers: &[TypeId], code: impl Code) -> u32 {
        let index = self.function("main", 0, ret, registers, code);
        self.module.entry = index;
        index
    }

    pub fn build(self) -> Module {
        self.module
    }
}

/// A function body: assembler text, or instructions built in Rust.
pub trait Code {
    /// The instructions; panics on a mistake in assembler text.
    fn instructions(self) -> Vec<Instr>;
}

impl Code for &str {
    fn instructions(self) -> Vec<Instr> {
        crate::bytecode_common::code(self)
    }
}

impl Code for String {
    fn instructions(self) -> Vec<Instr> {
        self.as_str().instructions()
    }
}

impl Code for &String {
    fn instructions(self) -> Vec<Instr> {
        self.as_str().instructions()
    }
}

impl Code for Vec<Instr> {
    fn instructions(self) -> Vec<Instr> {
        self
    }
}

/// A `Write` that appends to a shared buffer.
#[derive(Clone, Default)]
pub struct Capture(pub Rc<RefCell<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a run did.
pub struct Outcome {
    pub result: Result<i32, RuntimeError>,
    pub stdout: String,
    pub stderr: String,
    pub vm: Vm,
}

impl Outcome {
    /// The exit code; panics with the error when the run failed.
    pub fn code(&self) -> i32 {
        match &self.result {
            Ok(code) => *code,
            Err(error) => panic!("unexpected runtime error:\n{error}"),
        }
    }

    /// The runtime error; panics when the run succeeded.
    pub fn error(&self) -> &RuntimeError {
        match &self.result {
            Ok(code) => panic!("expected a runtime error, the run exited with {code}"),
            Err(error) => error,
        }
    }
}

/// Loads `module` into a VM with `config` and `stdin`, and runs it.
pub fn run_with(module: Module, config: VmConfig, stdin: &str) -> Outcome {
    let (stdout, stderr) = (Capture::default(), Capture::default());
    let mut vm = Vm::with_config(config);
    vm.set_stdout(Box::new(stdout.clone()));
    vm.set_stderr(Box::new(stderr.clone()));
    vm.set_stdin(Box::new(Cursor::new(stdin.as_bytes().to_vec())));
    if let Err(error) = vm.load_module(module) {
        panic!("load failed: {error}");
    }
    let result = vm.run();
    Outcome {
        result,
        stdout: stdout.text(),
        stderr: stderr.text(),
        vm,
    }
}

/// Loads and runs `module` with the default configuration and empty stdin.
pub fn run(module: Module) -> Outcome {
    run_with(module, VmConfig::default(), "")
}
