//! The instruction set, described once.
//!
//! Every instruction is declared in the single `define_instructions!` table below with its opcode byte,
//! its mnemonic and its operands. The `Instr` enum, the binary encoder and decoder, the operand lists
//! used by the verifier and the disassembler all derive from that table, so adding an instruction
//! touches this one place (plus its execution in `core` and, when its operands are not all fixed-type,
//! a typing rule in `verify`).
//!
//! Registers are numbered per function (`u16`); each has a static type recorded in
//! [`Function::registers`](super::module::Function::registers). Operand kinds `RegI`, `RegF`, `RegB` and
//! `RegS` name registers whose type is fixed by the instruction (int, float, bool, string or `?string`);
//! the verifier checks them generically. `Reg` operands have instruction-specific typing rules.
//!
//! Operands are encoded little-endian after the opcode byte: registers, fields and counts as `u16`,
//! immediates as `i32`, indices and jump targets as `u32`, flags as one byte (0 or 1).

use std::fmt;

/// A register number within a function's frame.
pub type Reg = u16;

/// What an operand denotes; decides its encoding and how the verifier checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// A register of any type (instruction-specific rule).
    Reg,
    /// A register of type `int`.
    RegI,
    /// A register of type `float`.
    RegF,
    /// A register of type `bool`.
    RegB,
    /// A register of type `string` or `?string`.
    RegS,
    /// A signed 32-bit immediate.
    Imm,
    /// An index into [`Module::constants`](super::module::Module::constants).
    Const,
    /// An index into [`Module::globals`](super::module::Module::globals).
    Global,
    /// An index into [`Module::functions`](super::module::Module::functions).
    Func,
    /// An index into [`Module::natives`](super::module::Module::natives).
    Native,
    /// An absolute instruction index in the same function.
    Target,
    /// A field or case index of a form or pick.
    Field,
    /// A flag: 0 or 1.
    Flag,
}

impl OperandKind {
    /// Encoded size in bytes.
    pub const fn size(self) -> usize {
        match self {
            OperandKind::Reg
            | OperandKind::RegI
            | OperandKind::RegF
            | OperandKind::RegB
            | OperandKind::RegS
            | OperandKind::Field => 2,
            OperandKind::Imm
            | OperandKind::Const
            | OperandKind::Global
            | OperandKind::Func
            | OperandKind::Native
            | OperandKind::Target => 4,
            OperandKind::Flag => 1,
        }
    }

    /// True for the register kinds.
    pub const fn is_register(self) -> bool {
        matches!(
            self,
            OperandKind::Reg
                | OperandKind::RegI
                | OperandKind::RegF
                | OperandKind::RegB
                | OperandKind::RegS
        )
    }
}

/// One decoded operand: its name in the table, its kind and its value widened to `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operand {
    /// The operand's field name in the instruction table (`dst`, `a`, `target`, …).
    pub name: &'static str,
    /// What the operand denotes.
    pub kind: OperandKind,
    /// The operand's value (register number, index, immediate, 0/1 for flags).
    pub value: i64,
}

/// Static description of one instruction, straight from the table.
#[derive(Clone, Copy, Debug)]
pub struct InstrInfo {
    /// The opcode byte.
    pub opcode: u8,
    /// The mnemonic used by the disassembler (`add.i`).
    pub mnemonic: &'static str,
    /// Operand names and kinds, in encoding order.
    pub operands: &'static [(&'static str, OperandKind)],
}

/// Why an instruction could not be decoded. Offsets are relative to the start of the code blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The opcode byte names no instruction.
    UnknownOpcode { opcode: u8, offset: usize },
    /// The bytes ended inside an instruction.
    Truncated { offset: usize },
    /// A flag operand was neither 0 nor 1.
    BadFlag { value: u8, offset: usize },
}

impl DecodeError {
    /// The byte offset the error refers to (relative to the decoded slice).
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::UnknownOpcode { offset, .. }
            | DecodeError::Truncated { offset }
            | DecodeError::BadFlag { offset, .. } => offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::UnknownOpcode { opcode, .. } => write!(f, "unknown opcode 0x{opcode:02x}"),
            DecodeError::Truncated { .. } => write!(f, "instruction truncated"),
            DecodeError::BadFlag { value, .. } => write!(f, "flag operand {value} is not 0 or 1"),
        }
    }
}

/// Encoding of one operand's Rust type.
trait OperandCodec: Sized + Copy {
    fn write(self, out: &mut Vec<u8>);
    fn read(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError>;
    fn widen(self) -> i64;
}

fn take<const N: usize>(bytes: &[u8], pos: &mut usize) -> Result<[u8; N], DecodeError> {
    let end = pos
        .checked_add(N)
        .ok_or(DecodeError::Truncated { offset: *pos })?;
    let slice = bytes
        .get(*pos..end)
        .ok_or(DecodeError::Truncated { offset: *pos })?;
    *pos = end;
    let mut array = [0u8; N];
    array.copy_from_slice(slice);
    Ok(array)
}

impl OperandCodec for u16 {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError> {
        Ok(u16::from_le_bytes(take::<2>(bytes, pos)?))
    }
    fn widen(self) -> i64 {
        i64::from(self)
    }
}

impl OperandCodec for u32 {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError> {
        Ok(u32::from_le_bytes(take::<4>(bytes, pos)?))
    }
    fn widen(self) -> i64 {
        i64::from(self)
    }
}

impl OperandCodec for i32 {
    fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError> {
        Ok(i32::from_le_bytes(take::<4>(bytes, pos)?))
    }
    fn widen(self) -> i64 {
        i64::from(self)
    }
}

impl OperandCodec for bool {
    fn write(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
    fn read(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError> {
        let offset = *pos;
        match take::<1>(bytes, pos)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(DecodeError::BadFlag { value, offset }),
        }
    }
    fn widen(self) -> i64 {
        i64::from(self)
    }
}

macro_rules! operand_type {
    (Reg) => {
        u16
    };
    (RegI) => {
        u16
    };
    (RegF) => {
        u16
    };
    (RegB) => {
        u16
    };
    (RegS) => {
        u16
    };
    (Field) => {
        u16
    };
    (Imm) => {
        i32
    };
    (Const) => {
        u32
    };
    (Global) => {
        u32
    };
    (Func) => {
        u32
    };
    (Native) => {
        u32
    };
    (Target) => {
        u32
    };
    (Flag) => {
        bool
    };
}

macro_rules! define_instructions {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $opcode:literal, $mnemonic:literal { $($field:ident : $kind:ident),* $(,)? }
    ),* $(,)?) => {
        /// One bytecode instruction. See the module docs for operand conventions.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Instr {
            $(
                $(#[doc = $doc])*
                $name { $($field: operand_type!($kind)),* },
            )*
        }

        /// Every instruction's static description, in opcode order of the table.
        pub const INSTRUCTIONS: &[InstrInfo] = &[
            $( InstrInfo {
                opcode: $opcode,
                mnemonic: $mnemonic,
                operands: &[$((stringify!($field), OperandKind::$kind)),*],
            }, )*
        ];

        impl Instr {
            /// The opcode byte.
            pub fn opcode(&self) -> u8 {
                match self { $( Instr::$name { .. } => $opcode, )* }
            }

            /// The instruction's static description.
            pub fn info(&self) -> &'static InstrInfo {
                info_for_opcode(self.opcode()).expect("every opcode of the table has an entry")
            }

            /// The mnemonic used by the disassembler.
            pub fn mnemonic(&self) -> &'static str {
                match self { $( Instr::$name { .. } => $mnemonic, )* }
            }

            /// The operands with their names, kinds and values, in encoding order.
            pub fn operands(&self) -> Vec<Operand> {
                match *self {
                    $( Instr::$name { $($field),* } => vec![
                        $( Operand {
                            name: stringify!($field),
                            kind: OperandKind::$kind,
                            value: OperandCodec::widen($field),
                        }, )*
                    ], )*
                }
            }

            /// Appends the instruction's encoding to `out`.
            pub fn encode(&self, out: &mut Vec<u8>) {
                match *self {
                    $( Instr::$name { $($field),* } => {
                        out.push($opcode);
                        $( OperandCodec::write($field, out); )*
                    } )*
                }
            }

            /// Decodes one instruction at `*pos`, advancing `pos` past it.
            ///
            /// # Errors
            /// An unknown opcode, a truncated instruction or a flag that is not 0 or 1.
            pub fn decode(bytes: &[u8], pos: &mut usize) -> Result<Instr, DecodeError> {
                let start = *pos;
                let opcode = take::<1>(bytes, pos)?[0];
                match opcode {
                    $( $opcode => {
                        $( let $field = <operand_type!($kind) as OperandCodec>::read(bytes, pos)?; )*
                        Ok(Instr::$name { $($field),* })
                    } )*
                    _ => {
                        *pos = start;
                        Err(DecodeError::UnknownOpcode { opcode, offset: start })
                    }
                }
            }
        }
    };
}

/// The static description of the instruction with this opcode, if any.
pub fn info_for_opcode(opcode: u8) -> Option<&'static InstrInfo> {
    INSTRUCTIONS.iter().find(|info| info.opcode == opcode)
}

define_instructions! {
    // ---- moves, constants, globals ----
    /// Does nothing.
    Nop = 0x00, "nop" {},
    /// `dst = src`; both registers have the same type.
    Move = 0x01, "move" { dst: Reg, src: Reg },
    /// `dst = value` (small int constant).
    LoadInt = 0x02, "load.int" { dst: RegI, value: Imm },
    /// `dst = constants[index]`; an int, float or string constant whose type is `dst`'s.
    LoadConst = 0x03, "load.const" { dst: Reg, index: Const },
    /// `dst = value`.
    LoadBool = 0x04, "load.bool" { dst: RegB, value: Flag },
    /// `dst = null`; `dst` has a reference type.
    LoadNull = 0x05, "load.null" { dst: Reg },
    /// `dst = globals[global]`; same type.
    GetGlobal = 0x06, "global.get" { dst: Reg, global: Global },
    /// `globals[global] = src`; same type.
    SetGlobal = 0x07, "global.set" { global: Global, src: Reg },

    // ---- int arithmetic (wrapping) ----
    /// `dst = a + b`, wrapping.
    AddI = 0x10, "add.i" { dst: RegI, a: RegI, b: RegI },
    /// `dst = a - b`, wrapping.
    SubI = 0x11, "sub.i" { dst: RegI, a: RegI, b: RegI },
    /// `dst = a * b`, wrapping.
    MulI = 0x12, "mul.i" { dst: RegI, a: RegI, b: RegI },
    /// `dst = a / b`, truncating toward zero; `division by zero` when `b == 0`; `MIN / -1` wraps.
    DivI = 0x13, "div.i" { dst: RegI, a: RegI, b: RegI },
    /// `dst = a % b` (sign of `a`); `division by zero` when `b == 0`; `MIN % -1` is 0.
    RemI = 0x14, "rem.i" { dst: RegI, a: RegI, b: RegI },
    /// `dst = -src`, wrapping.
    NegI = 0x15, "neg.i" { dst: RegI, src: RegI },
    /// `dst = a + imm`, wrapping.
    AddIImm = 0x16, "add.i.imm" { dst: RegI, a: RegI, imm: Imm },
    /// `dst = a * imm`, wrapping.
    MulIImm = 0x17, "mul.i.imm" { dst: RegI, a: RegI, imm: Imm },
    /// `dst = a / imm`, as `div.i`.
    DivIImm = 0x18, "div.i.imm" { dst: RegI, a: RegI, imm: Imm },
    /// `dst = a % imm`, as `rem.i`.
    RemIImm = 0x19, "rem.i.imm" { dst: RegI, a: RegI, imm: Imm },

    // ---- float arithmetic (IEEE-754) ----
    /// `dst = a + b`.
    AddF = 0x20, "add.f" { dst: RegF, a: RegF, b: RegF },
    /// `dst = a - b`.
    SubF = 0x21, "sub.f" { dst: RegF, a: RegF, b: RegF },
    /// `dst = a * b`.
    MulF = 0x22, "mul.f" { dst: RegF, a: RegF, b: RegF },
    /// `dst = a / b`.
    DivF = 0x23, "div.f" { dst: RegF, a: RegF, b: RegF },
    /// `dst = a % b` (remainder with the sign of `a`, as C's `fmod`).
    RemF = 0x24, "rem.f" { dst: RegF, a: RegF, b: RegF },
    /// `dst = -src`.
    NegF = 0x25, "neg.f" { dst: RegF, src: RegF },

    // ---- comparisons ----
    /// `dst = a == b`.
    EqI = 0x30, "eq.i" { dst: RegB, a: RegI, b: RegI },
    /// `dst = a != b`.
    NeI = 0x31, "ne.i" { dst: RegB, a: RegI, b: RegI },
    /// `dst = a < b`.
    LtI = 0x32, "lt.i" { dst: RegB, a: RegI, b: RegI },
    /// `dst = a <= b`.
    LeI = 0x33, "le.i" { dst: RegB, a: RegI, b: RegI },
    /// `dst = a == b` (IEEE: `nan != nan`).
    EqF = 0x34, "eq.f" { dst: RegB, a: RegF, b: RegF },
    /// `dst = a != b`.
    NeF = 0x35, "ne.f" { dst: RegB, a: RegF, b: RegF },
    /// `dst = a < b`.
    LtF = 0x36, "lt.f" { dst: RegB, a: RegF, b: RegF },
    /// `dst = a <= b`.
    LeF = 0x37, "le.f" { dst: RegB, a: RegF, b: RegF },
    /// `dst = a == b`.
    EqB = 0x38, "eq.b" { dst: RegB, a: RegB, b: RegB },
    /// `dst = a != b`.
    NeB = 0x39, "ne.b" { dst: RegB, a: RegB, b: RegB },
    /// `dst = a == b` comparing string contents; two nulls are equal, null and a string are not.
    EqS = 0x3a, "eq.s" { dst: RegB, a: RegS, b: RegS },
    /// `dst = a != b` comparing string contents.
    NeS = 0x3b, "ne.s" { dst: RegB, a: RegS, b: RegS },
    /// `dst = a < b`, byte-wise lexicographic; `null dereference` on null.
    LtS = 0x3c, "lt.s" { dst: RegB, a: RegS, b: RegS },
    /// `dst = a <= b`, byte-wise lexicographic; `null dereference` on null.
    LeS = 0x3d, "le.s" { dst: RegB, a: RegS, b: RegS },
    /// `dst = a is b` (identity) for two registers of reference type.
    EqRef = 0x3e, "eq.ref" { dst: RegB, a: Reg, b: Reg },
    /// `dst = a is not b` (identity) for two registers of reference type.
    NeRef = 0x3f, "ne.ref" { dst: RegB, a: Reg, b: Reg },
    /// `dst = !src`.
    Not = 0x40, "not" { dst: RegB, src: RegB },

    // ---- compare with a constant and branch (fused, for conditions on an int and a literal) ----
    /// Continue at `target` unless `a == imm`.
    JumpIfNotEqIImm = 0x48, "jump.ifnot.eq.i.imm" { a: RegI, imm: Imm, target: Target },
    /// Continue at `target` unless `a != imm`.
    JumpIfNotNeIImm = 0x49, "jump.ifnot.ne.i.imm" { a: RegI, imm: Imm, target: Target },
    /// Continue at `target` unless `a < imm`.
    JumpIfNotLtIImm = 0x4a, "jump.ifnot.lt.i.imm" { a: RegI, imm: Imm, target: Target },
    /// Continue at `target` unless `a <= imm`.
    JumpIfNotLeIImm = 0x4b, "jump.ifnot.le.i.imm" { a: RegI, imm: Imm, target: Target },
    /// Continue at `target` unless `a > imm`.
    JumpIfNotGtIImm = 0x4c, "jump.ifnot.gt.i.imm" { a: RegI, imm: Imm, target: Target },
    /// Continue at `target` unless `a >= imm`.
    JumpIfNotGeIImm = 0x4d, "jump.ifnot.ge.i.imm" { a: RegI, imm: Imm, target: Target },

    // ---- control flow ----
    /// Continue at `target`.
    Jump = 0x50, "jump" { target: Target },
    /// Continue at `target` when `cond` is true.
    JumpIf = 0x51, "jump.if" { cond: RegB, target: Target },
    /// Continue at `target` when `cond` is false.
    JumpIfNot = 0x52, "jump.ifnot" { cond: RegB, target: Target },
    /// Continue at `target` unless `a < b` (fused compare-and-branch for loops).
    JumpIfNotLtI = 0x53, "jump.ifnot.lt.i" { a: RegI, b: RegI, target: Target },
    /// Continue at `target` unless `a <= b`.
    JumpIfNotLeI = 0x54, "jump.ifnot.le.i" { a: RegI, b: RegI, target: Target },
    /// Continue at `target` unless `a == b`.
    JumpIfNotEqI = 0x55, "jump.ifnot.eq.i" { a: RegI, b: RegI, target: Target },
    /// Continue at `target` unless `a != b`.
    JumpIfNotNeI = 0x56, "jump.ifnot.ne.i" { a: RegI, b: RegI, target: Target },
    /// The step of an exclusive range loop: `counter += 1`, then continue at `target` (the loop's
    /// body, before this instruction) while `counter < end`.
    ForNext = 0x57, "for.next" { counter: RegI, end: RegI, target: Target },
    /// Calls `functions[func]` with its parameters taken from the consecutive registers starting at
    /// `args`; the result goes to `dst` (ignored when the callee returns `void`).
    Call = 0x58, "call" { func: Func, args: Reg, dst: Reg },
    /// Calls `natives[native]` like `Call`.
    CallNative = 0x59, "call.native" { native: Native, args: Reg, dst: Reg },
    /// Returns `src` (of the function's return type).
    Ret = 0x5a, "ret" { src: Reg },
    /// Returns from a `void` function.
    RetVoid = 0x5b, "ret.void" {},
    /// Raises a runtime error whose message is `message`.
    Throw = 0x5c, "throw" { message: RegS },

    // ---- conversions ----
    /// `dst = float(src)`.
    IntToFloat = 0x60, "int.to.float" { dst: RegF, src: RegI },
    /// `dst = int(src)`, truncating toward zero; `invalid int: "TEXT"` for nan, inf or out of range.
    FloatToInt = 0x61, "float.to.int" { dst: RegI, src: RegF },
    /// `dst = int(src)` parsing text; `invalid int: "TEXT"` when it does not parse.
    ParseInt = 0x62, "parse.int" { dst: RegI, src: RegS },
    /// `dst = float(src)` parsing text; `invalid float: "TEXT"` when it does not parse.
    ParseFloat = 0x63, "parse.float" { dst: RegF, src: RegS },
    /// `dst = str(src)`.
    IntToStr = 0x64, "int.to.str" { dst: RegS, src: RegI },
    /// `dst = str(src)`, shortest round-trip text.
    FloatToStr = 0x65, "float.to.str" { dst: RegS, src: RegF },
    /// `dst = str(src)`: `true` or `false`.
    BoolToStr = 0x66, "bool.to.str" { dst: RegS, src: RegB },
    /// `dst = str(src)` for a reference: the text `print` writes (strings raw, `null` for null).
    RefToStr = 0x67, "ref.to.str" { dst: RegS, src: Reg },

    // ---- strings ----
    /// `dst = a + b` (concatenation); `null dereference` on null.
    Concat = 0x70, "concat" { dst: RegS, a: RegS, b: RegS },
    /// `dst = len(src)` in bytes; `null dereference` on null.
    StrLen = 0x71, "str.len" { dst: RegI, src: RegS },
    /// `dst = dst + src`; when `dst` holds a string this instruction made, that string grows in
    /// place (amortised constant time per byte). Compilers use it only for a variable whose value
    /// no other place keeps, so that no one else sees the string change.
    ConcatAppend = 0x72, "concat.append" { dst: RegS, src: RegS },

    // ---- arrays (dst/array registers have type `[T]`) ----
    /// `dst = [r(first), …, r(first+count-1)]`; those registers have the element type.
    NewArray = 0x78, "array.new" { dst: Reg, first: Reg, count: Field },
    /// `dst = fill(count, value)`; `value` has the element type; negative counts raise `invalid argument`.
    ArrayFill = 0x79, "array.fill" { dst: Reg, count: RegI, value: Reg },
    /// `dst = array[index]`; `index out of bounds: index I, length N`.
    ArrayGet = 0x7a, "array.get" { dst: Reg, array: Reg, index: RegI },
    /// `array[index] = src`; `index out of bounds: index I, length N`.
    ArraySet = 0x7b, "array.set" { array: Reg, index: RegI, src: Reg },
    /// `dst = len(array)`.
    ArrayLen = 0x7c, "array.len" { dst: RegI, array: Reg },
    /// `push(array, src)`.
    ArrayPush = 0x7d, "array.push" { array: Reg, src: Reg },
    /// `dst = pop(array)`; `index out of bounds: index -1, length 0` when empty.
    ArrayPop = 0x7e, "array.pop" { dst: Reg, array: Reg },

    // ---- maps (map registers have type `Map[K, V]`; `key` has type K) ----
    /// `dst = {}` (empty map of `dst`'s type).
    NewMap = 0x80, "map.new" { dst: Reg },
    /// `dst = map[key]`; `key not found: K`.
    MapGet = 0x81, "map.get" { dst: Reg, map: Reg, key: Reg },
    /// `map[key] = src` (inserts at the end or replaces in place).
    MapSet = 0x82, "map.set" { map: Reg, key: Reg, src: Reg },
    /// `dst = get(map, key, default)`.
    MapGetOr = 0x83, "map.get.or" { dst: Reg, map: Reg, key: Reg, default: Reg },
    /// `dst = contains(map, key)`.
    MapContains = 0x84, "map.contains" { dst: RegB, map: Reg, key: Reg },
    /// `dst = remove(map, key)`: true when the key was present; the others keep their order.
    MapRemove = 0x85, "map.remove" { dst: RegB, map: Reg, key: Reg },
    /// `dst = len(map)`.
    MapLen = 0x86, "map.len" { dst: RegI, map: Reg },
    /// `dst = keys(map)`: a new array `[K]` in insertion order.
    MapKeys = 0x87, "map.keys" { dst: Reg, map: Reg },

    // ---- forms and picks ----
    /// `dst = Form { fields from r(first) … }`; `dst`'s type is the form, one register per field in order.
    NewForm = 0x90, "form.new" { dst: Reg, first: Reg },
    /// `dst = object.field`; `null dereference` on null.
    GetField = 0x91, "form.get" { dst: Reg, object: Reg, field: Field },
    /// `object.field = src`; `null dereference` on null.
    SetField = 0x92, "form.set" { object: Reg, field: Field, src: Reg },
    /// `dst = Pick.case(r(first) …)`; one register per payload field of that case.
    NewPick = 0x93, "pick.new" { dst: Reg, case: Field, first: Reg },
    /// `dst = case index of pick`; `null dereference` on null.
    PickTag = 0x94, "pick.tag" { dst: RegI, pick: Reg },
    /// `dst = payload field `field` of `pick`, which must be of case `case` (else the run ends with
    /// `invalid bytecode: pick.field on a value of another case`).
    PickField = 0x95, "pick.field" { dst: Reg, pick: Reg, case: Field, field: Field },

    // ---- threads (see the scheduler in `core::sched`) ----
    /// `dst = spawn func(args…)`: starts a new thread running `functions[func]` with its parameters
    /// copied from the consecutive registers starting at `args` (its result is dropped); `dst` has
    /// type `Thread`. The spawning thread continues. A step for `max_steps`; the new thread's
    /// registers count in the heap limit until it ends.
    Spawn = 0xa0, "spawn" { func: Func, args: Reg, dst: Reg },
    /// `join(thread)`: blocks until the thread has finished; `thread` has type `Thread`.
    Join = 0xa1, "join" { thread: Reg },
    /// `dst = chan(cap)`: a new channel of `dst`'s type `Chan[T]`; a negative `cap` raises
    /// `invalid argument`.
    ChanNew = 0xa2, "chan.new" { dst: Reg, cap: RegI },
    /// `send(chan, src)`: hands `src` (of type T) to a waiting receiver or the buffer, else blocks.
    Send = 0xa3, "chan.send" { chan: Reg, src: Reg },
    /// `dst = recv(chan)`: takes the oldest value sent (of type T), blocking while there is none.
    Recv = 0xa4, "chan.recv" { dst: Reg, chan: Reg },
    /// `yield_now()`: lets the other runnable threads run first.
    Yield = 0xa5, "yield" {},
    /// `sleep(ms)`: blocks the thread for at least `ms` milliseconds (at most a yield when `ms <= 0`).
    Sleep = 0xa6, "sleep" { ms: RegI },
    /// `dst = thread_id()`: 0 for the main thread, then 1, 2, … in spawn order.
    ThreadId = 0xa7, "thread.id" { dst: RegI },

    // ---- debugging ----
    /// A breakpoint a debugger patched over an instruction while the program runs; never part of
    /// a module (the verifier refuses it).
    Break = 0xff, "break" {},
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mnemonic())?;
        for (index, operand) in self.operands().iter().enumerate() {
            f.write_str(if index == 0 { " " } else { ", " })?;
            match operand.kind {
                kind if kind.is_register() => write!(f, "r{}", operand.value)?,
                OperandKind::Const => write!(f, "k{}", operand.value)?,
                OperandKind::Global => write!(f, "g{}", operand.value)?,
                OperandKind::Func => write!(f, "f{}", operand.value)?,
                OperandKind::Native => write!(f, "n{}", operand.value)?,
                OperandKind::Target => write!(f, "@{}", operand.value)?,
                OperandKind::Flag => write!(f, "{}", operand.value != 0)?,
                _ => write!(f, "{}", operand.value)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_are_unique() {
        for (i, a) in INSTRUCTIONS.iter().enumerate() {
            for b in &INSTRUCTIONS[i + 1..] {
                assert_ne!(
                    a.opcode, b.opcode,
                    "{} and {} share an opcode",
                    a.mnemonic, b.mnemonic
                );
                assert_ne!(a.mnemonic, b.mnemonic);
            }
        }
    }

    #[test]
    fn encode_then_decode_is_identity() {
        let samples = [
            Instr::Nop {},
            Instr::AddI { dst: 1, a: 2, b: 3 },
            Instr::LoadInt { dst: 7, value: -42 },
            Instr::LoadBool {
                dst: 0,
                value: true,
            },
            Instr::JumpIfNotLtI {
                a: 1,
                b: 2,
                target: 99,
            },
            Instr::PickField {
                dst: 1,
                pick: 2,
                case: 3,
                field: 4,
            },
        ];
        for instr in samples {
            let mut bytes = Vec::new();
            instr.encode(&mut bytes);
            let expected: usize = 1 + instr
                .info()
                .operands
                .iter()
                .map(|(_, k)| k.size())
                .sum::<usize>();
            assert_eq!(bytes.len(), expected);
            let mut pos = 0;
            assert_eq!(Instr::decode(&bytes, &mut pos), Ok(instr));
            assert_eq!(pos, bytes.len());
        }
    }

    #[test]
    fn decode_rejects_bad_input() {
        let mut pos = 0;
        assert_eq!(
            Instr::decode(&[0xfe], &mut pos),
            Err(DecodeError::UnknownOpcode {
                opcode: 0xfe,
                offset: 0
            })
        );
        let mut bytes = Vec::new();
        Instr::AddI { dst: 1, a: 2, b: 3 }.encode(&mut bytes);
        bytes.pop();
        let mut pos = 0;
        assert!(matches!(
            Instr::decode(&bytes, &mut pos),
            Err(DecodeError::Truncated { .. })
        ));
        let mut pos = 0;
        assert!(matches!(
            Instr::decode(&[0x04, 0, 0, 2], &mut pos),
            Err(DecodeError::BadFlag { .. })
        ));
    }

    #[test]
    fn display_names_operands() {
        assert_eq!(
            Instr::AddI { dst: 1, a: 2, b: 3 }.to_string(),
            "add.i r1, r2, r3"
        );
        assert_eq!(Instr::Jump { target: 4 }.to_string(), "jump @4");
    }
}
