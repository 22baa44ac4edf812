//! Verified bytecode to Cranelift IR, one function at a time.
//!
//! Every register of the function is a Cranelift variable of its static type (`i64` for int, bool
//! and references, `f64` for float), so compiled code keeps values in machine registers with no type
//! guards. The register window in the VM's register stack stays the frame's home: compiled code loads
//! every register from it where it is entered and stores every register back to it where it leaves
//! for the interpreter, so the interpreter, the collector and the debugger always find the frame's
//! true values there once compiled code has left.
//!
//! A compiled function is entered at pc 0, at each counted step (a backward jump, `for.next` or a
//! call: where the interpreter's fuel slice ends, which is how a running loop is entered, on-stack
//! replacement) and after each call (where a callee that ran in the interpreter returns). It leaves
//! for the interpreter ("exits") at the instruction it cannot finish itself: fuel used up at a
//! counted step, an instruction that raises a runtime error (division by zero, a `throw`, a float
//! out of the int range), a callee that is not compiled or that exited itself. The interpreter then
//! runs that instruction again from the same state, so the error, the unwinding, the thread switch
//! or the debugger's pause are the interpreter's own, and nothing the program sees differs.
//!
//! What is compiled so far: moves, constants, globals, int, float and bool arithmetic and
//! comparisons, reference identity, every branch and loop, calls and returns, the conversions
//! between int and float, and through runtime helpers array and form element access and native
//! calls. Every other instruction is an exit: the interpreter runs it and the code after it, until
//! compiled code is entered again (at the next slice end, or when a callee returns).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    AbiParam, Block, Function, InstBuilder, JumpTableData, MemFlagsData, Signature, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use crate::bytecode::{Instr, ValueKind};
use crate::core::program::{FuncInfo, Program};
use crate::stack::Frame;

use super::runtime::{self, ContextField, Helper};

/// Why a function stays in the interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// It is larger than the translator takes (too many registers or instructions).
    TooLarge,
    /// Something the verifier should have refused (an operand out of range).
    Malformed(&'static str),
    /// The code generator failed or is not available.
    Backend(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge => write!(f, "too large"),
            Refusal::Malformed(what) => write!(f, "malformed: {what}"),
            Refusal::Backend(message) => write!(f, "code generator: {message}"),
        }
    }
}

/// The most registers a compiled function may have.
const MAX_REGISTERS: usize = 2048;
/// The most instructions a compiled function may have.
const MAX_INSTRUCTIONS: usize = 50_000;

/// Exit statuses a compiled function returns (see [`runtime::Outcome`]).
pub(crate) const STATUS_RETURNED: i64 = 0;
/// The function left for the interpreter; its frame (and any above it) is saved.
pub(crate) const STATUS_EXITED: i64 = 1;
/// It was entered at a pc that is not one of its entries; nothing ran.
pub(crate) const STATUS_NO_ENTRY: i64 = 2;

/// The entry "pc" of a call from compiled code: the function starts with its parameters in the
/// register window and every other register 0, whatever the window holds.
pub(crate) const FRESH_CALL: u64 = u64::MAX;

/// Bytes of one [`Frame`] on the frame stack, and the offsets of its fields.
const FRAME_SIZE: i64 = std::mem::size_of::<Frame>() as i64;
const FRAME_FUNC: i32 = std::mem::offset_of!(Frame, func) as i32;
const FRAME_PC: i32 = std::mem::offset_of!(Frame, pc) as i32;
const FRAME_BASE: i32 = std::mem::offset_of!(Frame, base) as i32;
const FRAME_RET: i32 = std::mem::offset_of!(Frame, ret) as i32;

/// The signature every compiled function has: `(context, base, entry pc) -> status`.
pub(crate) fn compiled_signature(call_conv: CallConv) -> Signature {
    let mut signature = Signature::new(call_conv);
    signature.params.push(AbiParam::new(types::I64));
    signature.params.push(AbiParam::new(types::I64));
    signature.params.push(AbiParam::new(types::I64));
    signature.returns.push(AbiParam::new(types::I64));
    signature
}

/// Whether `function` can be compiled, and if not, why.
pub(crate) fn check(program: &Program, function: &FuncInfo) -> Result<(), Refusal> {
    if function.nregs > MAX_REGISTERS || function.code.len() > MAX_INSTRUCTIONS {
        return Err(Refusal::TooLarge);
    }
    for instr in &function.code {
        if let Instr::Call { func, args, .. } = *instr {
            let callee = program
                .funcs
                .get(func as usize)
                .ok_or(Refusal::Malformed("call of a missing function"))?;
            if usize::from(args) + callee.params > function.nregs {
                return Err(Refusal::Malformed("call arguments outside the frame"));
            }
        }
        if let Instr::GetGlobal { global, .. } | Instr::SetGlobal { global, .. } = *instr
            && global as usize >= program.module.globals.len()
        {
            return Err(Refusal::Malformed("a missing global"));
        }
        if let Instr::LoadConst { index, .. } = *instr
            && index as usize >= program.constants.len()
        {
            return Err(Refusal::Malformed("a missing constant"));
        }
        if let Instr::CallNative { native, args, .. } = *instr {
            let bound = program
                .natives
                .get(native as usize)
                .ok_or(Refusal::Malformed("a missing native"))?;
            if usize::from(args) + bound.params > function.nregs {
                return Err(Refusal::Malformed("native arguments outside the frame"));
            }
        }
    }
    Ok(())
}

/// The target of a jump instruction, if it is one.
fn jump_target(instr: &Instr) -> Option<usize> {
    use Instr::*;
    match *instr {
        JumpIfNotEqIImm { target, .. }
        | JumpIfNotNeIImm { target, .. }
        | JumpIfNotLtIImm { target, .. }
        | JumpIfNotLeIImm { target, .. }
        | JumpIfNotGtIImm { target, .. }
        | JumpIfNotGeIImm { target, .. }
        | Jump { target }
        | JumpIf { target, .. }
        | JumpIfNot { target, .. }
        | JumpIfNotLtI { target, .. }
        | JumpIfNotLeI { target, .. }
        | JumpIfNotEqI { target, .. }
        | JumpIfNotNeI { target, .. }
        | ForNext { target, .. } => Some(target as usize),
        _ => None,
    }
}

/// True when the interpreter may hand the frame over at `pc` of `code`: the function's start, a
/// counted step (where a fuel slice ends) or the instruction after a call (where a callee returns).
pub(crate) fn is_entry(code: &[Instr], pc: usize) -> bool {
    if pc == 0 {
        return true;
    }
    let Some(instr) = code.get(pc) else {
        return false;
    };
    let counted = match instr {
        Instr::Call { .. } | Instr::ForNext { .. } => true,
        other => jump_target(other).is_some_and(|target| target <= pc),
    };
    counted || matches!(code.get(pc - 1), Some(Instr::Call { .. }))
}

/// How a value of a register kind is held in compiled code.
fn clif_type(kind: ValueKind) -> types::Type {
    match kind {
        ValueKind::Float => types::F64,
        _ => types::I64,
    }
}

/// Translates `function` (which [`check`] accepted) into `func`.
pub(crate) fn translate(
    program: &Program,
    function: &FuncInfo,
    func: &mut Function,
    builder_context: &mut FunctionBuilderContext,
    target: TargetFrontendConfig,
) -> Result<(), Refusal> {
    check(program, function)?;
    let kinds: Vec<ValueKind> = (0..function.nregs)
        .map(|register| {
            u16::try_from(register)
                .ok()
                .and_then(|register| program.register_type(function, register).ok())
                .map_or(ValueKind::Int, |info| info.kind)
        })
        .collect();
    let mut builder = FunctionBuilder::new(func, builder_context);
    let mut translator = Translator::new(
        program,
        function,
        &kinds,
        &mut builder,
        target.default_call_conv,
    );
    translator.emit()?;
    builder.seal_all_blocks();
    builder.finalize(target);
    Ok(())
}

/// The state of one translation.
struct Translator<'t, 'b> {
    program: &'t Program,
    function: &'t FuncInfo,
    kinds: &'t [ValueKind],
    b: &'t mut FunctionBuilder<'b>,
    call_conv: CallConv,
    /// One variable per register.
    vars: Vec<Variable>,
    /// The address of register 0 in the register stack (changes when a call grows the stack).
    regs: Variable,
    /// The pc an exit leaves at.
    exit_pc: Variable,
    /// The function's parameters.
    ctx: Value,
    base: Value,
    /// The block of each instruction that starts one.
    blocks: Vec<Option<Block>>,
    /// Stores every register and returns "exited" (the frame's pc is already saved).
    flush: Block,
    /// Saves `exit_pc` as the frame's pc, then flushes.
    exit: Block,
}

impl<'t, 'b> Translator<'t, 'b> {
    fn new(
        program: &'t Program,
        function: &'t FuncInfo,
        kinds: &'t [ValueKind],
        b: &'t mut FunctionBuilder<'b>,
        call_conv: CallConv,
    ) -> Translator<'t, 'b> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let vars = kinds
            .iter()
            .map(|&kind| b.declare_var(clif_type(kind)))
            .collect();
        let regs = b.declare_var(types::I64);
        let exit_pc = b.declare_var(types::I64);
        let flush = b.create_block();
        let exit = b.create_block();
        b.set_cold_block(flush);
        b.set_cold_block(exit);
        Translator {
            program,
            function,
            kinds,
            b,
            call_conv,
            vars,
            regs,
            exit_pc,
            ctx: params[0],
            base: params[1],
            blocks: Vec::new(),
            flush,
            exit,
        }
    }

    fn flags() -> MemFlagsData {
        MemFlagsData::trusted()
    }

    /// Loads a field of the context.
    fn ctx_load(&mut self, ty: types::Type, field: ContextField) -> Value {
        self.b
            .ins()
            .load(ty, Self::flags(), self.ctx, runtime::offset(field))
    }

    /// Stores a field of the context.
    fn ctx_store(&mut self, value: Value, field: ContextField) {
        self.b
            .ins()
            .store(Self::flags(), value, self.ctx, runtime::offset(field));
    }

    /// Recomputes the address of register 0 after the register stack may have moved.
    fn reload_regs(&mut self) {
        let stack = self.ctx_load(types::I64, ContextField::Stack);
        let offset = self.b.ins().ishl_imm_u(self.base, 3);
        let regs = self.b.ins().iadd(stack, offset);
        self.b.def_var(self.regs, regs);
    }

    fn slot_offset(register: usize) -> i32 {
        // At most MAX_REGISTERS (+ a callee's parameters) registers: far below i32::MAX / 8.
        (register * 8) as i32
    }

    /// Loads every register from the register window.
    fn load_all(&mut self) {
        let regs = self.b.use_var(self.regs);
        for register in 0..self.function.nregs {
            let ty = clif_type(self.kinds[register]);
            let value = self
                .b
                .ins()
                .load(ty, Self::flags(), regs, Self::slot_offset(register));
            self.b.def_var(self.vars[register], value);
        }
    }

    /// The start of a call from compiled code: parameters from the register window, every other
    /// register 0 (its slot in the window is not cleared: compiled code stores the references before
    /// anything can collect, and every register when it leaves).
    fn start_fresh(&mut self) {
        let regs = self.b.use_var(self.regs);
        for register in 0..self.function.nregs {
            let ty = clif_type(self.kinds[register]);
            let value = if register < self.function.params {
                self.b
                    .ins()
                    .load(ty, Self::flags(), regs, Self::slot_offset(register))
            } else if ty == types::F64 {
                self.b.ins().f64const(0.0)
            } else {
                self.b.ins().iconst(types::I64, 0)
            };
            self.b.def_var(self.vars[register], value);
        }
    }

    /// Stores the registers for which `which` holds into the register window.
    fn store_registers(&mut self, which: impl Fn(ValueKind) -> bool) {
        let regs = self.b.use_var(self.regs);
        for register in 0..self.function.nregs {
            if which(self.kinds[register]) {
                let value = self.b.use_var(self.vars[register]);
                self.b
                    .ins()
                    .store(Self::flags(), value, regs, Self::slot_offset(register));
            }
        }
    }

    fn get(&mut self, register: u16) -> Value {
        self.b.use_var(self.vars[usize::from(register)])
    }

    fn set(&mut self, register: u16, value: Value) {
        self.b.def_var(self.vars[usize::from(register)], value);
    }

    /// A bool register's value from an `icmp`/`fcmp` result.
    fn set_bool(&mut self, register: u16, flag: Value) {
        let word = self.b.ins().uextend(types::I64, flag);
        self.set(register, word);
    }

    /// Leaves for the interpreter at `pc` (which runs that instruction again).
    fn exit_at(&mut self, pc: usize) {
        let pc = self.b.ins().iconst(types::I64, pc as i64);
        self.b.def_var(self.exit_pc, pc);
        self.b.ins().jump(self.exit, &[]);
    }

    /// Branches to an exit at `pc` when `condition` holds, else goes on in a new block.
    fn exit_if(&mut self, condition: Value, pc: usize) {
        let leave = self.b.create_block();
        let stay = self.b.create_block();
        self.b.set_cold_block(leave);
        self.b.ins().brif(condition, leave, &[], stay, &[]);
        self.b.switch_to_block(leave);
        self.exit_at(pc);
        self.b.switch_to_block(stay);
    }

    /// A counted step at `pc`: exits there when the slice's fuel is used up, else takes one.
    fn tick(&mut self, pc: usize) {
        let fuel = self.ctx_load(types::I64, ContextField::Fuel);
        let empty = self.b.ins().icmp_imm_s(IntCC::Equal, fuel, 0);
        self.exit_if(empty, pc);
        let left = self.b.ins().iadd_imm_s(fuel, -1);
        self.ctx_store(left, ContextField::Fuel);
    }

    /// The block of the instruction at `pc`.
    fn block_at(&mut self, pc: usize) -> Result<Block, Refusal> {
        self.blocks
            .get(pc)
            .copied()
            .flatten()
            .ok_or(Refusal::Malformed("a jump target outside the code"))
    }

    /// Takes the jump at `pc` to `target`, counting a step when it goes backward.
    fn jump(&mut self, pc: usize, target: u32) -> Result<(), Refusal> {
        let target = target as usize;
        let block = self.block_at(target)?;
        if target <= pc {
            self.tick(pc);
        }
        self.b.ins().jump(block, &[]);
        Ok(())
    }

    /// Jumps to `target` when `condition` holds, else goes on with the next instruction.
    fn branch(&mut self, pc: usize, condition: Value, target: u32) -> Result<(), Refusal> {
        let taken = self.b.create_block();
        let next = self.block_at(pc + 1)?;
        self.b.ins().brif(condition, taken, &[], next, &[]);
        self.b.switch_to_block(taken);
        self.jump(pc, target)
    }

    /// A call to one of the runtime helpers.
    fn call_helper(
        &mut self,
        helper: Helper,
        params: &[types::Type],
        returns: &[types::Type],
        args: &[Value],
    ) -> Vec<Value> {
        let mut signature = Signature::new(self.call_conv);
        signature
            .params
            .extend(params.iter().map(|&ty| AbiParam::new(ty)));
        signature
            .returns
            .extend(returns.iter().map(|&ty| AbiParam::new(ty)));
        let signature = self.b.import_signature(signature);
        let callee = self.b.ins().iconst(types::I64, helper.address() as i64);
        let call = self.b.ins().call_indirect(signature, callee, args);
        self.b.inst_results(call).to_vec()
    }

    /// Decides where blocks start, builds the entry dispatch and translates every instruction.
    fn emit(&mut self) -> Result<(), Refusal> {
        let code = &self.function.code;
        let mut leaders = vec![false; code.len() + 1];
        leaders[0] = true;
        for (pc, instr) in code.iter().enumerate() {
            if let Some(target) = jump_target(instr) {
                *leaders
                    .get_mut(target)
                    .ok_or(Refusal::Malformed("a jump target outside the code"))? = true;
                leaders[pc + 1] = true;
            }
            if matches!(instr, Instr::Call { .. }) {
                leaders[pc] = true;
                leaders[pc + 1] = true;
            }
            if is_entry(code, pc) {
                leaders[pc] = true;
            }
        }
        self.blocks = leaders
            .iter()
            .map(|&leader| leader.then(|| self.b.create_block()))
            .collect();
        // The instruction after the last never runs (the verifier ends every function with a
        // jump, return or throw); its block, if any, returns "exited" at that pc.

        // Entry: find the register window, then dispatch on the entry pc.
        self.reload_regs();
        let entry_pc = self
            .b
            .block_params(self.b.current_block().expect("entry block"))[2];
        let no_entry = self.b.create_block();
        self.b.set_cold_block(no_entry);
        let mut table = Vec::with_capacity(code.len());
        let mut entry_blocks = Vec::new();
        for pc in 0..code.len() {
            if is_entry(code, pc) {
                let block = self.b.create_block();
                entry_blocks.push((pc, block));
                table.push(self.b.func.dfg.block_call(block, &[]));
            } else {
                table.push(self.b.func.dfg.block_call(no_entry, &[]));
            }
        }
        let default = self.b.func.dfg.block_call(no_entry, &[]);
        let jump_table = self
            .b
            .create_jump_table(JumpTableData::new(default, &table));
        // A call from compiled code starts fresh: parameters in the window, the other registers 0.
        let fresh = self.b.create_block();
        let not_fresh = self.b.create_block();
        let is_fresh = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, entry_pc, FRESH_CALL as i64);
        self.b.ins().brif(is_fresh, fresh, &[], not_fresh, &[]);
        self.b.switch_to_block(fresh);
        self.start_fresh();
        let first = self.block_at(0)?;
        self.b.ins().jump(first, &[]);
        self.b.switch_to_block(not_fresh);
        let in_range =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedLessThan, entry_pc, code.len() as i64);
        let dispatch = self.b.create_block();
        self.b.ins().brif(in_range, dispatch, &[], no_entry, &[]);
        self.b.switch_to_block(dispatch);
        let index = self.b.ins().ireduce(types::I32, entry_pc);
        self.b.ins().br_table(index, jump_table);

        self.b.switch_to_block(no_entry);
        let status = self.b.ins().iconst(types::I64, STATUS_NO_ENTRY);
        self.b.ins().return_(&[status]);

        for (pc, block) in entry_blocks {
            self.b.switch_to_block(block);
            self.load_all();
            let body = self.block_at(pc)?;
            self.b.ins().jump(body, &[]);
        }

        // The shared exits.
        self.b.switch_to_block(self.exit);
        let pc = self.b.use_var(self.exit_pc);
        let ctx = self.ctx;
        self.call_helper(Helper::ExitAt, &[types::I64, types::I64], &[], &[ctx, pc]);
        self.b.ins().jump(self.flush, &[]);
        self.b.switch_to_block(self.flush);
        self.store_registers(|_| true);
        let status = self.b.ins().iconst(types::I64, STATUS_EXITED);
        self.b.ins().return_(&[status]);

        // The body.
        let mut open = false;
        for pc in 0..code.len() {
            if let Some(block) = self.blocks[pc] {
                if open {
                    self.b.ins().jump(block, &[]);
                }
                self.b.switch_to_block(block);
                open = true;
            }
            if !open {
                // Unreachable straight-line code after a terminator: never entered.
                continue;
            }
            open = self.instruction(pc, code[pc])?;
        }
        if let Some(block) = self.blocks[code.len()] {
            if open {
                self.b.ins().jump(block, &[]);
            }
            self.b.switch_to_block(block);
            self.exit_at(code.len());
        } else if open {
            self.exit_at(code.len());
        }
        Ok(())
    }

    /// Translates one instruction; false when it ends its block (nothing falls through).
    fn instruction(&mut self, pc: usize, instr: Instr) -> Result<bool, Refusal> {
        use Instr::*;
        macro_rules! int_binary {
            ($dst:expr, $a:expr, $b:expr, $op:ident) => {{
                let (x, y) = (self.get($a), self.get($b));
                let value = self.b.ins().$op(x, y);
                self.set($dst, value);
            }};
        }
        macro_rules! compare_int {
            ($dst:expr, $a:expr, $b:expr, $cc:expr) => {{
                let (x, y) = (self.get($a), self.get($b));
                let flag = self.b.ins().icmp($cc, x, y);
                self.set_bool($dst, flag);
            }};
        }
        macro_rules! compare_float {
            ($dst:expr, $a:expr, $b:expr, $cc:expr) => {{
                let (x, y) = (self.get($a), self.get($b));
                let flag = self.b.ins().fcmp($cc, x, y);
                self.set_bool($dst, flag);
            }};
        }
        macro_rules! branch_unless_int {
            ($a:expr, $b:expr, $cc:expr, $target:expr) => {{
                let (x, y) = (self.get($a), self.get($b));
                // Jumps when the condition does not hold.
                let flag = self.b.ins().icmp($cc, x, y);
                self.branch(pc, flag, $target)?;
                return Ok(false);
            }};
        }
        macro_rules! branch_unless_imm {
            ($a:expr, $imm:expr, $cc:expr, $target:expr) => {{
                let x = self.get($a);
                let flag = self.b.ins().icmp_imm_s($cc, x, i64::from($imm));
                self.branch(pc, flag, $target)?;
                return Ok(false);
            }};
        }
        match instr {
            Nop {} => {}
            Move { dst, src } => {
                let value = self.get(src);
                self.set(dst, value);
            }
            LoadInt { dst, value } => {
                let value = self.b.ins().iconst(types::I64, i64::from(value));
                self.set(dst, value);
            }
            LoadConst { dst, index } => {
                let word = self.program.constants[index as usize];
                let value = if self.kinds[usize::from(dst)] == ValueKind::Float {
                    self.b.ins().f64const(f64::from_bits(word))
                } else {
                    self.b.ins().iconst(types::I64, word as i64)
                };
                self.set(dst, value);
            }
            LoadBool { dst, value } => {
                let value = self.b.ins().iconst(types::I64, i64::from(value));
                self.set(dst, value);
            }
            LoadNull { dst } => {
                let value = self.b.ins().iconst(types::I64, 0);
                self.set(dst, value);
            }
            GetGlobal { dst, global } => {
                let globals = self.ctx_load(types::I64, ContextField::Globals);
                let ty = clif_type(self.kinds[usize::from(dst)]);
                let value = self.b.ins().load(
                    ty,
                    Self::flags(),
                    globals,
                    Self::slot_offset(global as usize),
                );
                self.set(dst, value);
            }
            SetGlobal { global, src } => {
                let globals = self.ctx_load(types::I64, ContextField::Globals);
                let value = self.get(src);
                self.b.ins().store(
                    Self::flags(),
                    value,
                    globals,
                    Self::slot_offset(global as usize),
                );
            }

            AddI { dst, a, b } => int_binary!(dst, a, b, iadd),
            SubI { dst, a, b } => int_binary!(dst, a, b, isub),
            MulI { dst, a, b } => int_binary!(dst, a, b, imul),
            DivI { dst, a, b } => return Ok(self.divide(pc, dst, a, Divisor::Register(b), false)),
            RemI { dst, a, b } => return Ok(self.divide(pc, dst, a, Divisor::Register(b), true)),
            DivIImm { dst, a, imm } => {
                return Ok(self.divide(pc, dst, a, Divisor::Immediate(imm), false));
            }
            RemIImm { dst, a, imm } => {
                return Ok(self.divide(pc, dst, a, Divisor::Immediate(imm), true));
            }
            NegI { dst, src } => {
                let x = self.get(src);
                let value = self.b.ins().ineg(x);
                self.set(dst, value);
            }
            AddIImm { dst, a, imm } => {
                let x = self.get(a);
                let value = self.b.ins().iadd_imm_s(x, i64::from(imm));
                self.set(dst, value);
            }
            MulIImm { dst, a, imm } => {
                let x = self.get(a);
                let value = self.b.ins().imul_imm_s(x, i64::from(imm));
                self.set(dst, value);
            }

            AddF { dst, a, b } => int_binary!(dst, a, b, fadd),
            SubF { dst, a, b } => int_binary!(dst, a, b, fsub),
            MulF { dst, a, b } => int_binary!(dst, a, b, fmul),
            DivF { dst, a, b } => int_binary!(dst, a, b, fdiv),
            RemF { dst, a, b } => {
                let (x, y) = (self.get(a), self.get(b));
                let result = self.call_helper(
                    Helper::FloatRemainder,
                    &[types::F64, types::F64],
                    &[types::F64],
                    &[x, y],
                );
                self.set(dst, result[0]);
            }
            NegF { dst, src } => {
                let x = self.get(src);
                let value = self.b.ins().fneg(x);
                self.set(dst, value);
            }

            EqI { dst, a, b } | EqRef { dst, a, b } => compare_int!(dst, a, b, IntCC::Equal),
            NeI { dst, a, b } | NeRef { dst, a, b } => compare_int!(dst, a, b, IntCC::NotEqual),
            LtI { dst, a, b } => compare_int!(dst, a, b, IntCC::SignedLessThan),
            LeI { dst, a, b } => compare_int!(dst, a, b, IntCC::SignedLessThanOrEqual),
            EqF { dst, a, b } => compare_float!(dst, a, b, FloatCC::Equal),
            NeF { dst, a, b } => compare_float!(dst, a, b, FloatCC::NotEqual),
            LtF { dst, a, b } => compare_float!(dst, a, b, FloatCC::LessThan),
            LeF { dst, a, b } => compare_float!(dst, a, b, FloatCC::LessThanOrEqual),
            EqB { dst, a, b } | NeB { dst, a, b } => {
                let (x, y) = (self.get(a), self.get(b));
                let x = self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
                let y = self.b.ins().icmp_imm_s(IntCC::NotEqual, y, 0);
                let cc = if matches!(instr, EqB { .. }) {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let flag = self.b.ins().icmp(cc, x, y);
                self.set_bool(dst, flag);
            }
            Not { dst, src } => {
                let x = self.get(src);
                let flag = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                self.set_bool(dst, flag);
            }

            JumpIfNotEqIImm { a, imm, target } => {
                branch_unless_imm!(a, imm, IntCC::NotEqual, target)
            }
            JumpIfNotNeIImm { a, imm, target } => branch_unless_imm!(a, imm, IntCC::Equal, target),
            JumpIfNotLtIImm { a, imm, target } => {
                branch_unless_imm!(a, imm, IntCC::SignedGreaterThanOrEqual, target)
            }
            JumpIfNotLeIImm { a, imm, target } => {
                branch_unless_imm!(a, imm, IntCC::SignedGreaterThan, target)
            }
            JumpIfNotGtIImm { a, imm, target } => {
                branch_unless_imm!(a, imm, IntCC::SignedLessThanOrEqual, target)
            }
            JumpIfNotGeIImm { a, imm, target } => {
                branch_unless_imm!(a, imm, IntCC::SignedLessThan, target)
            }
            Jump { target } => {
                self.jump(pc, target)?;
                return Ok(false);
            }
            JumpIf { cond, target } => {
                let x = self.get(cond);
                self.branch(pc, x, target)?;
                return Ok(false);
            }
            JumpIfNot { cond, target } => {
                let x = self.get(cond);
                let flag = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                self.branch(pc, flag, target)?;
                return Ok(false);
            }
            JumpIfNotLtI { a, b, target } => {
                branch_unless_int!(a, b, IntCC::SignedGreaterThanOrEqual, target)
            }
            JumpIfNotLeI { a, b, target } => {
                branch_unless_int!(a, b, IntCC::SignedGreaterThan, target)
            }
            JumpIfNotEqI { a, b, target } => branch_unless_int!(a, b, IntCC::NotEqual, target),
            JumpIfNotNeI { a, b, target } => branch_unless_int!(a, b, IntCC::Equal, target),
            ForNext {
                counter,
                end,
                target,
            } => {
                let (x, limit) = (self.get(counter), self.get(end));
                let next = self.b.ins().iadd_imm_s(x, 1);
                let again = self.b.ins().icmp(IntCC::SignedLessThan, next, limit);
                let taken = self.b.create_block();
                let after = self.block_at(pc + 1)?;
                let done = self.b.create_block();
                self.b.ins().brif(again, taken, &[], done, &[]);
                self.b.switch_to_block(done);
                self.set(counter, next);
                self.b.ins().jump(after, &[]);
                self.b.switch_to_block(taken);
                // The step is counted before the counter changes, as in the interpreter.
                let body = self.block_at(target as usize)?;
                if target as usize <= pc {
                    self.tick(pc);
                }
                self.set(counter, next);
                self.b.ins().jump(body, &[]);
                return Ok(false);
            }
            Call { func, args, dst } => {
                self.call(pc, func, args, dst)?;
                return Ok(false);
            }
            Ret { src } => {
                let value = self.get(src);
                self.ctx_store(value, ContextField::Ret);
                let status = self.b.ins().iconst(types::I64, STATUS_RETURNED);
                self.b.ins().return_(&[status]);
                return Ok(false);
            }
            RetVoid {} => {
                let status = self.b.ins().iconst(types::I64, STATUS_RETURNED);
                self.b.ins().return_(&[status]);
                return Ok(false);
            }
            Throw { .. } => {
                self.exit_at(pc);
                return Ok(false);
            }
            IntToFloat { dst, src } => {
                let x = self.get(src);
                let value = self.b.ins().fcvt_from_sint(types::F64, x);
                self.set(dst, value);
            }
            FloatToInt { dst, src } => {
                // The rule of `semantics::convert::float_to_int`: the truncated value must lie in
                // [-2^63, 2^63); nan fails both comparisons. Otherwise the interpreter raises.
                let x = self.get(src);
                let truncated = self.b.ins().trunc(x);
                let low = self.b.ins().f64const(-9_223_372_036_854_775_808.0);
                let high = self.b.ins().f64const(9_223_372_036_854_775_808.0);
                let above = self
                    .b
                    .ins()
                    .fcmp(FloatCC::GreaterThanOrEqual, truncated, low);
                let below = self.b.ins().fcmp(FloatCC::LessThan, truncated, high);
                let fits = self.b.ins().band(above, below);
                let outside = self.b.ins().icmp_imm_s(IntCC::Equal, fits, 0);
                self.exit_if(outside, pc);
                let value = self.b.ins().fcvt_to_sint_sat(types::I64, truncated);
                self.set(dst, value);
            }
            ArrayGet { dst, array, index } => {
                let (object, index) = (self.get(array), self.get(index));
                self.fallible_read(pc, Helper::ArrayGet, &[object, index], dst);
            }
            ArraySet { array, index, src } => {
                let (object, index) = (self.get(array), self.get(index));
                let value = self.word(src);
                self.fallible(pc, Helper::ArraySet, &[object, index, value]);
            }
            ArrayLen { dst, array } => {
                let object = self.get(array);
                self.fallible_read(pc, Helper::ArrayLen, &[object], dst);
            }
            GetField { dst, object, field } => {
                let object = self.get(object);
                let field = self.b.ins().iconst(types::I64, i64::from(field));
                self.fallible_read(pc, Helper::FieldGet, &[object, field], dst);
            }
            SetField { object, field, src } => {
                let object = self.get(object);
                let field = self.b.ins().iconst(types::I64, i64::from(field));
                let value = self.word(src);
                self.fallible(pc, Helper::FieldSet, &[object, field, value]);
            }
            CallNative { native, args, dst } => self.call_native(pc, native, args, dst),
            // Everything else runs in the interpreter.
            _ => {
                self.exit_at(pc);
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A register's value as a 64-bit word (float bits for a float register).
    fn word(&mut self, register: u16) -> Value {
        let value = self.get(register);
        if self.kinds[usize::from(register)] == ValueKind::Float {
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), value)
        } else {
            value
        }
    }

    /// Calls a helper that returns 1 when the instruction at `pc` must raise an error, which the
    /// interpreter then does by running it again.
    fn fallible(&mut self, pc: usize, helper: Helper, operands: &[Value]) {
        let mut args = vec![self.ctx];
        args.extend_from_slice(operands);
        let params = vec![types::I64; args.len()];
        let failed = self.call_helper(helper, &params, &[types::I64], &args)[0];
        self.exit_if(failed, pc);
    }

    /// Like [`fallible`](Self::fallible), for a helper that leaves its result in the context's
    /// `ret`, which goes to `dst`.
    fn fallible_read(&mut self, pc: usize, helper: Helper, operands: &[Value], dst: u16) {
        self.fallible(pc, helper, operands);
        let ty = clif_type(self.kinds[usize::from(dst)]);
        let value = self.ctx_load(ty, ContextField::Ret);
        self.set(dst, value);
    }

    /// `call.native`: the runtime calls the native with its arguments in the register window, as
    /// the interpreter does, and may collect afterwards, so every register is stored first and
    /// the result read back from the window.
    fn call_native(&mut self, pc: usize, native: u32, args: u16, dst: u16) {
        let returns_value = self
            .program
            .natives
            .get(native as usize)
            .is_some_and(|bound| bound.returns_value);
        self.store_registers(|_| true);
        let ctx = self.ctx;
        let native = self.b.ins().iconst(types::I64, i64::from(native));
        let first = self.b.ins().iadd_imm_s(self.base, i64::from(args));
        let target = self.b.ins().iadd_imm_s(self.base, i64::from(dst));
        let at = self.b.ins().iconst(types::I64, pc as i64);
        let raised = self.call_helper(
            Helper::CallNative,
            &[types::I64; 5],
            &[types::I64],
            &[ctx, native, first, target, at],
        )[0];
        // Raised: the runtime saved the frame's pc and the error; leave without saving a pc.
        let went_on = self.b.create_block();
        self.b.ins().brif(raised, self.flush, &[], went_on, &[]);
        self.b.switch_to_block(went_on);
        if returns_value {
            let regs = self.b.use_var(self.regs);
            let ty = clif_type(self.kinds[usize::from(dst)]);
            let value =
                self.b
                    .ins()
                    .load(ty, Self::flags(), regs, Self::slot_offset(usize::from(dst)));
            self.set(dst, value);
        }
    }

    /// `div.i`, `rem.i` and their immediate forms: division by zero exits (the interpreter raises
    /// it); `MIN / -1` wraps to `MIN` and `MIN % -1` is 0, where the machine instruction would trap.
    /// False when nothing falls through (a division by the literal 0 always exits).
    fn divide(&mut self, pc: usize, dst: u16, a: u16, divisor: Divisor, remainder: bool) -> bool {
        let x = self.get(a);
        let y = match divisor {
            Divisor::Immediate(0) => {
                self.exit_at(pc);
                return false;
            }
            Divisor::Immediate(-1) => {
                let value = if remainder {
                    self.b.ins().iconst(types::I64, 0)
                } else {
                    self.b.ins().ineg(x)
                };
                self.set(dst, value);
                return true;
            }
            Divisor::Immediate(imm) => {
                let value = if remainder {
                    self.b.ins().srem_imm_s(x, i64::from(imm))
                } else {
                    self.b.ins().sdiv_imm_s(x, i64::from(imm))
                };
                self.set(dst, value);
                return true;
            }
            Divisor::Register(register) => self.get(register),
        };
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        self.exit_if(zero, pc);
        let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
        let special = self.b.create_block();
        let ordinary = self.b.create_block();
        let joined = self.b.create_block();
        let result = self.b.append_block_param(joined, types::I64);
        self.b.ins().brif(minus_one, special, &[], ordinary, &[]);
        self.b.switch_to_block(special);
        let wrapped = if remainder {
            self.b.ins().iconst(types::I64, 0)
        } else {
            self.b.ins().ineg(x)
        };
        self.b.ins().jump(joined, &[wrapped.into()]);
        self.b.switch_to_block(ordinary);
        let value = if remainder {
            self.b.ins().srem(x, y)
        } else {
            self.b.ins().sdiv(x, y)
        };
        self.b.ins().jump(joined, &[value.into()]);
        self.b.switch_to_block(joined);
        self.set(dst, result);
        true
    }

    /// `call`: a counted step. The fast path pushes the callee's frame itself (when the frame stack
    /// has room, the register stack a whole window past the callee's base, the callee compiled code
    /// and the native nesting room), copies the arguments and calls the callee's compiled code
    /// directly. Otherwise the runtime pushes the frame (growing what must grow, clearing the
    /// callee's registers), and a callee with no compiled code or a chain nested too deep makes
    /// this function exit after the call: the interpreter runs the callee and returns here. A
    /// callee that exited makes this function exit too.
    fn call(&mut self, pc: usize, func: u32, args: u16, dst: u16) -> Result<(), Refusal> {
        let callee = &self.program.funcs[func as usize];
        let (params, callee_returns) = (callee.params, callee.returns_value);
        let nregs = self.function.nregs;
        let after = self.block_at(pc + 1)?;
        let ctx = self.ctx;

        let fuel = self.ctx_load(types::I64, ContextField::Fuel);
        let empty = self.b.ins().icmp_imm_s(IntCC::Equal, fuel, 0);
        self.exit_if(empty, pc);
        // The callee may collect: the collector reads references from the register window.
        self.store_registers(|kind| kind == ValueKind::Ref);
        let new_base = self.b.ins().iadd_imm_s(self.base, nregs as i64);

        let depth = self.b.create_block();
        let code_var = self.b.declare_var(types::I64);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let invoke = self.b.create_block();
        self.b.set_cold_block(slow);

        // The fast path's conditions.
        let length = self.ctx_load(types::I64, ContextField::FramesLength);
        let room = self.ctx_load(types::I64, ContextField::FramesRoom);
        let frame_fits = self.b.ins().icmp(IntCC::UnsignedLessThan, length, room);
        let limit = self.ctx_load(types::I64, ContextField::StackLimit);
        let window_fits = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, new_base, limit);
        let code = self.callee_code(func);
        let compiled = self.b.ins().icmp_imm_s(IntCC::NotEqual, code, 0);
        let nesting = self.ctx_load(types::I64, ContextField::NativeDepth);
        let shallow = self.b.ins().icmp_imm_s(
            IntCC::UnsignedLessThan,
            nesting,
            runtime::MAX_NATIVE_DEPTH as i64,
        );
        let fits = self.b.ins().band(frame_fits, window_fits);
        let callable = self.b.ins().band(compiled, shallow);
        let go = self.b.ins().band(fits, callable);
        self.b.def_var(code_var, code);
        self.b.ins().brif(go, fast, &[], slow, &[]);

        // Fast: the caller's pc, then the callee's frame, on the frame stack.
        self.b.switch_to_block(fast);
        let frames = self.ctx_load(types::I64, ContextField::FramesPointer);
        let offset = self.b.ins().imul_imm_s(length, FRAME_SIZE);
        let slot = self.b.ins().iadd(frames, offset);
        let resume = self.b.ins().iconst(types::I64, (pc + 1) as i64);
        self.b
            .ins()
            .store(Self::flags(), resume, slot, FRAME_PC - FRAME_SIZE as i32);
        let func_value = self.b.ins().iconst(types::I32, i64::from(func));
        self.b
            .ins()
            .store(Self::flags(), func_value, slot, FRAME_FUNC);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().store(Self::flags(), zero, slot, FRAME_PC);
        self.b
            .ins()
            .store(Self::flags(), new_base, slot, FRAME_BASE);
        let dst_value = self.b.ins().iconst(types::I16, i64::from(dst));
        self.b
            .ins()
            .store(Self::flags(), dst_value, slot, FRAME_RET);
        let longer = self.b.ins().iadd_imm_s(length, 1);
        self.ctx_store(longer, ContextField::FramesLength);
        self.b.ins().jump(depth, &[]);

        // Slow: the runtime pushes the frame.
        self.b.switch_to_block(slow);
        let func_value = self.b.ins().iconst(types::I64, i64::from(func));
        let dst_value = self.b.ins().iconst(types::I64, i64::from(dst));
        let resume = self.b.ins().iconst(types::I64, (pc + 1) as i64);
        let refused = self.call_helper(
            Helper::CallEnter,
            &[types::I64; 5],
            &[types::I64],
            &[ctx, func_value, new_base, dst_value, resume],
        )[0];
        // Refused (the depth limit): the interpreter runs the call again and raises the error.
        self.exit_if(refused, pc);
        self.reload_regs();
        let code = self.callee_code(func);
        self.b.def_var(code_var, code);
        let missing = self.b.ins().icmp_imm_s(IntCC::Equal, code, 0);
        let nesting = self.ctx_load(types::I64, ContextField::NativeDepth);
        let too_deep = self.b.ins().icmp_imm_s(
            IntCC::UnsignedGreaterThanOrEqual,
            nesting,
            runtime::MAX_NATIVE_DEPTH as i64,
        );
        let leave = self.b.ins().bor(too_deep, missing);
        let interpreted = self.b.create_block();
        self.b.set_cold_block(interpreted);
        self.b.ins().brif(leave, interpreted, &[], depth, &[]);
        // The interpreter runs the callee (its frame is pushed, this frame's pc saved): the step
        // is taken here, the arguments copied, and this function leaves without saving a pc.
        self.b.switch_to_block(interpreted);
        self.take_step_and_copy_arguments(args, params);
        self.b.ins().jump(self.flush, &[]);

        // The callee's frame is pushed: take the step, copy the arguments, call.
        self.b.switch_to_block(depth);
        self.take_step_and_copy_arguments(args, params);
        self.b.ins().jump(invoke, &[]);
        self.b.switch_to_block(invoke);
        let code = self.b.use_var(code_var);
        let nesting = self.ctx_load(types::I64, ContextField::NativeDepth);
        let deeper = self.b.ins().iadd_imm_s(nesting, 1);
        self.ctx_store(deeper, ContextField::NativeDepth);
        let signature = self.b.import_signature(compiled_signature(self.call_conv));
        let start = self.b.ins().iconst(types::I64, FRESH_CALL as i64);
        let call = self
            .b
            .ins()
            .call_indirect(signature, code, &[ctx, new_base, start]);
        let status = self.b.inst_results(call)[0];
        self.ctx_store(nesting, ContextField::NativeDepth);
        self.reload_regs();
        let exited = self
            .b
            .ins()
            .icmp_imm_s(IntCC::NotEqual, status, STATUS_RETURNED);
        let returned = self.b.create_block();
        self.b.ins().brif(exited, self.flush, &[], returned, &[]);
        self.b.switch_to_block(returned);
        // Pop the callee's frame.
        let length = self.ctx_load(types::I64, ContextField::FramesLength);
        let shorter = self.b.ins().iadd_imm_s(length, -1);
        self.ctx_store(shorter, ContextField::FramesLength);
        if callee_returns {
            let ty = clif_type(self.kinds[usize::from(dst)]);
            let value = self.ctx_load(ty, ContextField::Ret);
            self.set(dst, value);
        }
        self.b.ins().jump(after, &[]);
        Ok(())
    }

    /// The address of function `func`'s compiled code, 0 while it has none: read where the
    /// program keeps it (`FuncInfo::jit_code`, which does not move during a run).
    fn callee_code(&mut self, func: u32) -> Value {
        let slot = std::ptr::from_ref(&self.program.funcs[func as usize].jit_code) as i64;
        let address = self.b.ins().iconst(types::I64, slot);
        self.b
            .ins()
            .load(types::I64, MemFlagsData::new().with_notrap(), address, 0)
    }

    /// The call's step, and its arguments into the callee's registers (after this frame's).
    fn take_step_and_copy_arguments(&mut self, args: u16, params: usize) {
        let fuel = self.ctx_load(types::I64, ContextField::Fuel);
        let left = self.b.ins().iadd_imm_s(fuel, -1);
        self.ctx_store(left, ContextField::Fuel);
        let regs = self.b.use_var(self.regs);
        let nregs = self.function.nregs;
        for index in 0..params {
            let value = self.get(args + index as u16);
            self.b
                .ins()
                .store(Self::flags(), value, regs, Self::slot_offset(nregs + index));
        }
    }
}

/// The divisor of a division.
#[derive(Clone, Copy)]
enum Divisor {
    Register(u16),
    Immediate(i32),
}
