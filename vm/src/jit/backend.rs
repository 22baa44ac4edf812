//! The Cranelift side of the JIT: the target, the reusable compilation contexts, and the module
//! that owns compiled code's memory.

use cranelift_codegen::Context;
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Module};

use crate::core::program::{FuncInfo, Program};

use super::runtime;
use super::translate::{self, Refusal};

/// One code generator: a Cranelift JIT module for the host and the contexts it reuses.
pub(crate) struct Backend {
    module: JITModule,
    context: Context,
    builder_context: FunctionBuilderContext,
    call_conv: CallConv,
}

impl Backend {
    /// A code generator for this machine.
    ///
    /// # Errors
    /// The host is not supported, or a setting is refused.
    pub(crate) fn new() -> Result<Backend, String> {
        let mut flags = settings::builder();
        for (name, value) in [
            ("opt_level", "speed"),
            ("use_colocated_libcalls", "false"),
            ("is_pic", "false"),
        ] {
            flags.set(name, value).map_err(|error| error.to_string())?;
        }
        let isa = cranelift_native::builder()
            .map_err(|message| format!("this machine is not supported: {message}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|error| error.to_string())?;
        let call_conv = isa.default_call_conv();
        let module = JITModule::new(JITBuilder::with_isa(
            isa,
            cranelift_module::default_libcall_names(),
        ));
        let context = module.make_context();
        Ok(Backend {
            module,
            context,
            builder_context: FunctionBuilderContext::new(),
            call_conv,
        })
    }

    /// Translates one function into the (cleared) compilation context.
    fn translate(&mut self, program: &Program, info: &FuncInfo) -> Result<(), Refusal> {
        self.module.clear_context(&mut self.context);
        self.context.func.signature = translate::compiled_signature(self.call_conv);
        translate::translate(
            program,
            info,
            &mut self.context.func,
            &mut self.builder_context,
            self.module.isa().frontend_config(),
        )
    }

    /// Translates and compiles one function; returns its id and the bytes of machine code.
    pub(crate) fn define(
        &mut self,
        program: &Program,
        info: &FuncInfo,
    ) -> Result<(FuncId, usize), Refusal> {
        self.translate(program, info)?;
        let id = self
            .module
            .declare_anonymous_function(&self.context.func.signature)
            .map_err(|error| Refusal::Backend(error.to_string()))?;
        self.module
            .define_function(id, &mut self.context)
            .map_err(|error| Refusal::Backend(format!("{error:?}")))?;
        let bytes = self
            .context
            .compiled_code()
            .map_or(0, |code| code.code_buffer().len());
        self.module.clear_context(&mut self.context);
        Ok((id, bytes))
    }

    /// The listing of one function's translation: its Cranelift IR, then the machine code
    /// Cranelift makes of it (after register allocation), for `vitte disasm --jit`.
    pub(crate) fn listing(
        &mut self,
        program: &Program,
        info: &FuncInfo,
    ) -> Result<String, Refusal> {
        self.translate(program, info)?;
        let ir = self.context.func.display().to_string();
        self.context.set_disasm(true);
        let compiled = self
            .context
            .compile(self.module.isa(), &mut Default::default())
            .map_err(|error| Refusal::Backend(format!("{:?}", error.inner)))?;
        let bytes = compiled.code_buffer().len();
        let machine = compiled.vcode.clone().unwrap_or_default();
        self.context.set_disasm(false);
        self.module.clear_context(&mut self.context);
        Ok(format!(
            "; Cranelift IR\n{ir}\n; machine code ({} bytes, {})\n{machine}",
            bytes,
            self.module.isa().triple()
        ))
    }

    /// Makes the functions defined since the last call executable; returns their addresses.
    ///
    /// # Errors
    /// Cranelift could not finish the code.
    pub(crate) fn finish(&mut self, batch: &[(usize, FuncId)]) -> Result<Vec<*const u8>, String> {
        self.module
            .finalize_definitions()
            .map_err(|error| error.to_string())?;
        Ok(batch
            .iter()
            .map(|&(_, id)| self.module.get_finalized_function(id))
            .collect())
    }

    /// Releases the memory of all compiled code.
    pub(crate) fn free(self) {
        runtime::free(self.module);
    }
}
