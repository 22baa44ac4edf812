//! The `.vitbc` binary format: a deterministic writer and a checked reader (`docs/vitbc.md` is the
//! specification).
//!
//! - [`write`] serialises a module; the same module always gives the same bytes.
//! - [`read`] decodes **and verifies**: nothing unverified is returned. Every failure is a
//!   [`BytecodeError`] naming what is wrong and the byte offset it was found at.
//! - [`decode`] decodes without verifying and also returns the [`CodeOffsets`] that map every
//!   instruction and table entry back to its byte offset, which is how [`read`] reports verifier
//!   errors `at byte N`.
//!
//! Layout: the magic `VITBC\0`, a little-endian `u16` format version, ten sections in a fixed order
//! (each a four-character tag, a little-endian `u32` payload length and the payload), and a
//! little-endian CRC32 (`crc32fast`, IEEE polynomial) of every byte before it. Inside sections,
//! counts, indices and other `u32` values are unsigned LEB128 in their shortest form; instruction
//! operands use the fixed-width encoding of [`isa`](super::isa).
//!
//! Versions: [`write`] produces version 2, in which each function of `FUNC` ends with its
//! exception-handler table; [`read`] also accepts version 1, whose functions have no handlers.
//!
//! The reader never panics and never allocates from an untrusted length without first checking that
//! the bytes left can hold that many entries, so a short file claiming billions of entries fails fast.

use std::fmt;

use super::isa::Instr;
use super::module::{
    CaseDef, Constant, FieldDef, FormDef, Function, FunctionDebug, GlobalDef, Handler, LineEntry,
    LocalVar, Module, NativeImport, PickDef, SourceFile, Type,
};
use super::verify::{self, Location};

/// The first six bytes of every `.vitbc` file.
pub const MAGIC: [u8; 6] = *b"VITBC\0";

/// The format version [`write`] produces and the newest one [`read`] accepts.
pub const VERSION: u16 = 2;

/// The oldest format version [`read`] accepts.
pub const OLDEST_VERSION: u16 = 1;

/// Section tags in the order they appear in a file; each appears exactly once.
pub const SECTIONS: [[u8; 4]; 10] = [
    *b"TYPE", *b"FORM", *b"PICK", *b"CNST", *b"GLOB", *b"NATV", *b"FUNC", *b"ENTR", *b"DBUG",
    *b"SRCS",
];

/// Size of the header: magic and version.
const HEADER_LEN: usize = MAGIC.len() + 2;
/// Size of the CRC32 trailer.
const TRAILER_LEN: usize = 4;

/// Type-table entry tags.
mod type_tag {
    pub const VOID: u8 = 0;
    pub const INT: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const BOOL: u8 = 3;
    pub const STR: u8 = 4;
    pub const ARRAY: u8 = 5;
    pub const MAP: u8 = 6;
    pub const NULLABLE: u8 = 7;
    pub const FORM: u8 = 8;
    pub const PICK: u8 = 9;
    pub const THREAD: u8 = 10;
    pub const CHAN: u8 = 11;
}

/// Constant-pool entry tags.
mod const_tag {
    pub const INT: u8 = 0;
    pub const FLOAT: u8 = 1;
    pub const STR: u8 = 2;
}

/// A malformed or unverifiable `.vitbc` file: `invalid bytecode: WHAT, at byte N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BytecodeError {
    /// What is wrong (lower case, no final period).
    pub message: String,
    /// Byte offset in the file the problem was found at.
    pub offset: usize,
}

impl BytecodeError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        BytecodeError {
            message: message.into(),
            offset,
        }
    }

    /// Prefixes the message with where in the file's structure the error happened.
    fn within(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for BytecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid bytecode: {}, at byte {}",
            self.message, self.offset
        )
    }
}

impl std::error::Error for BytecodeError {}

/// Adds context to the error of a fallible step, computing the context only on failure.
trait Context<T> {
    fn within<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, BytecodeError>;
}

impl<T> Context<T> for Result<T, BytecodeError> {
    fn within<C: fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T, BytecodeError> {
        self.map_err(|error| error.within(context()))
    }
}

/// Byte offsets of a function's parts in the file it was decoded from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct FunctionOffsets {
    header: usize,
    code: Vec<usize>,
    handlers: Vec<usize>,
    debug: usize,
    lines: Vec<usize>,
    locals: Vec<usize>,
}

/// Where each instruction and table entry of a decoded module starts in its file.
///
/// Returned by [`decode`]; [`CodeOffsets::offset_of`] turns a verifier [`Location`] into the byte
/// offset reported by [`read`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeOffsets {
    types: Vec<usize>,
    forms: Vec<usize>,
    picks: Vec<usize>,
    constants: Vec<usize>,
    globals: Vec<usize>,
    natives: Vec<usize>,
    functions: Vec<FunctionOffsets>,
    entry: usize,
    init: usize,
}

impl CodeOffsets {
    /// The byte offset of instruction `pc` of function `func`.
    pub fn instr(&self, func: u32, pc: u32) -> Option<usize> {
        self.function(func)?.code.get(pc as usize).copied()
    }

    /// The byte offset of the thing a verifier [`Location`] names.
    pub fn offset_of(&self, location: &Location) -> Option<usize> {
        let at = |table: &[usize], index: u32| table.get(index as usize).copied();
        match *location {
            Location::Type(index) => at(&self.types, index),
            Location::Form(index) => at(&self.forms, index),
            Location::Pick(index) => at(&self.picks, index),
            Location::Constant(index) => at(&self.constants, index),
            Location::Global(index) => at(&self.globals, index),
            Location::Native(index) => at(&self.natives, index),
            Location::Function(func) => Some(self.function(func)?.header),
            Location::Instr { func, pc } => self.instr(func, pc),
            Location::Handler { func, index } => at(&self.function(func)?.handlers, index),
            Location::FunctionDebug(func) => Some(self.function(func)?.debug),
            Location::LineEntry { func, index } => at(&self.function(func)?.lines, index),
            Location::Local { func, index } => at(&self.function(func)?.locals, index),
            Location::Entry => Some(self.entry),
            Location::Init => Some(self.init),
        }
    }

    fn function(&self, func: u32) -> Option<&FunctionOffsets> {
        self.functions.get(func as usize)
    }
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/// Serialises `module` to `.vitbc` bytes (format version [`VERSION`]).
///
/// Deterministic: equal modules give equal bytes. The bytes are written as the module is; whether
/// they load is decided by [`read`], which verifies.
///
/// # Panics
/// When a table, string or section is larger than the format can describe (4 GiB).
pub fn write(module: &Module) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    let [
        types,
        forms,
        picks,
        constants,
        globals,
        natives,
        functions,
        entry,
        debug,
        sources,
    ] = SECTIONS;

    section(&mut out, types, |p| {
        put_len(p, module.types.len());
        for ty in &module.types {
            put_type(p, ty);
        }
    });
    section(&mut out, forms, |p| {
        put_len(p, module.forms.len());
        for form in &module.forms {
            put_str(p, &form.name);
            put_fields(p, &form.fields);
        }
    });
    section(&mut out, picks, |p| {
        put_len(p, module.picks.len());
        for pick in &module.picks {
            put_str(p, &pick.name);
            put_len(p, pick.cases.len());
            for case in &pick.cases {
                put_str(p, &case.name);
                put_fields(p, &case.fields);
            }
        }
    });
    section(&mut out, constants, |p| {
        put_len(p, module.constants.len());
        for constant in &module.constants {
            match constant {
                Constant::Int(value) => {
                    p.push(const_tag::INT);
                    p.extend_from_slice(&value.to_le_bytes());
                }
                Constant::Float(value) => {
                    p.push(const_tag::FLOAT);
                    p.extend_from_slice(&value.to_bits().to_le_bytes());
                }
                Constant::Str(text) => {
                    p.push(const_tag::STR);
                    put_str(p, text);
                }
            }
        }
    });
    section(&mut out, globals, |p| {
        put_len(p, module.globals.len());
        for global in &module.globals {
            put_str(p, &global.name);
            put_u32(p, global.ty);
        }
    });
    section(&mut out, natives, |p| {
        put_len(p, module.natives.len());
        for native in &module.natives {
            put_str(p, &native.name);
            put_len(p, native.params.len());
            for &param in &native.params {
                put_u32(p, param);
            }
            put_u32(p, native.ret);
        }
    });
    section(&mut out, functions, |p| {
        put_len(p, module.functions.len());
        for function in &module.functions {
            put_str(p, &function.name);
            put_u32(p, u32::from(function.param_count));
            put_u32(p, function.ret);
            put_len(p, function.registers.len());
            for &register in &function.registers {
                put_u32(p, register);
            }
            let mut code = Vec::new();
            for instr in &function.code {
                instr.encode(&mut code);
            }
            put_len(p, code.len());
            p.extend_from_slice(&code);
            put_len(p, function.handlers.len());
            for handler in &function.handlers {
                put_u32(p, handler.start_pc);
                put_u32(p, handler.end_pc);
                put_u32(p, handler.target_pc);
                put_u32(p, u32::from(handler.message_register));
            }
        }
    });
    section(&mut out, entry, |p| {
        put_u32(p, module.entry);
        match module.init {
            None => p.push(0),
            Some(init) => {
                p.push(1);
                put_u32(p, init);
            }
        }
    });
    section(&mut out, debug, |p| {
        put_len(p, module.functions.len());
        for function in &module.functions {
            let debug = &function.debug;
            put_u32(p, debug.file);
            put_u32(p, debug.line);
            put_u32(p, debug.col);
            put_len(p, debug.lines.len());
            for entry in &debug.lines {
                put_u32(p, entry.pc);
                put_u32(p, entry.line);
                put_u32(p, entry.col);
                p.push(u8::from(entry.is_stmt));
            }
            put_len(p, debug.locals.len());
            for local in &debug.locals {
                put_str(p, &local.name);
                put_u32(p, u32::from(local.register));
                put_u32(p, local.start_pc);
                put_u32(p, local.end_pc);
            }
        }
    });
    section(&mut out, sources, |p| {
        put_len(p, module.sources.len());
        for source in &module.sources {
            put_str(p, &source.path);
            put_str(p, &source.text);
        }
    });

    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Appends one section: tag, payload length, payload.
fn section(out: &mut Vec<u8>, tag: [u8; 4], payload: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = Vec::new();
    payload(&mut bytes);
    out.extend_from_slice(&tag);
    out.extend_from_slice(&len_u32(bytes.len()).to_le_bytes());
    out.extend_from_slice(&bytes);
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).expect("a .vitbc table, string or section holds less than 4 GiB")
}

/// Unsigned LEB128, shortest form.
fn put_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    put_u32(out, len_u32(len));
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn put_fields(out: &mut Vec<u8>, fields: &[FieldDef]) {
    put_len(out, fields.len());
    for field in fields {
        put_str(out, &field.name);
        put_u32(out, field.ty);
    }
}

fn put_type(out: &mut Vec<u8>, ty: &Type) {
    match *ty {
        Type::Void => out.push(type_tag::VOID),
        Type::Int => out.push(type_tag::INT),
        Type::Float => out.push(type_tag::FLOAT),
        Type::Bool => out.push(type_tag::BOOL),
        Type::Str => out.push(type_tag::STR),
        Type::Array(element) => {
            out.push(type_tag::ARRAY);
            put_u32(out, element);
        }
        Type::Map(key, value) => {
            out.push(type_tag::MAP);
            put_u32(out, key);
            put_u32(out, value);
        }
        Type::Nullable(inner) => {
            out.push(type_tag::NULLABLE);
            put_u32(out, inner);
        }
        Type::Form(form) => {
            out.push(type_tag::FORM);
            put_u32(out, form);
        }
        Type::Pick(pick) => {
            out.push(type_tag::PICK);
            put_u32(out, pick);
        }
        Type::Thread => out.push(type_tag::THREAD),
        Type::Chan(element) => {
            out.push(type_tag::CHAN);
            put_u32(out, element);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/// Decodes and verifies `.vitbc` bytes.
///
/// # Errors
/// Any malformation (bad magic, a newer format version, a checksum mismatch, a missing, unknown,
/// duplicate or truncated section, an out-of-range value, invalid UTF-8, trailing bytes, …) or any
/// verifier failure, with the byte offset it was found at: for verifier failures, the offset of the
/// offending instruction or table entry.
pub fn read(bytes: &[u8]) -> Result<Module, BytecodeError> {
    let (module, offsets) = decode(bytes)?;
    match verify::verify(&module) {
        Ok(()) => Ok(module),
        Err(error) => {
            let offset = offsets.offset_of(&error.location).unwrap_or(HEADER_LEN);
            Err(BytecodeError::new(error.to_string(), offset))
        }
    }
}

/// Decodes `.vitbc` bytes **without verifying** the module, returning the byte offset of every
/// instruction and table entry along with it.
///
/// A module from here must go through [`verify::verify`] before it runs; [`read`] does both.
///
/// # Errors
/// Any malformation of the bytes, with the byte offset it was found at.
pub fn decode(bytes: &[u8]) -> Result<(Module, CodeOffsets), BytecodeError> {
    match bytes.get(..MAGIC.len()) {
        Some(magic) if magic == MAGIC => {}
        _ if MAGIC.starts_with(bytes) => {
            return Err(BytecodeError::new(
                "file ends inside the header",
                bytes.len(),
            ));
        }
        _ => return Err(BytecodeError::new("not a .vitbc file (bad magic)", 0)),
    }
    let version = match bytes.get(MAGIC.len()..HEADER_LEN) {
        Some(&[low, high]) => u16::from_le_bytes([low, high]),
        _ => {
            return Err(BytecodeError::new(
                "file ends inside the header",
                bytes.len(),
            ));
        }
    };
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(BytecodeError::new(
            format!("unsupported format version {version} (this VM reads version {VERSION})"),
            MAGIC.len(),
        ));
    }
    let Some(body_end) = bytes
        .len()
        .checked_sub(TRAILER_LEN)
        .filter(|&end| end >= HEADER_LEN)
    else {
        return Err(BytecodeError::new(
            "file ends before the checksum",
            bytes.len(),
        ));
    };
    let (body, trailer) = bytes.split_at(body_end);
    let stored = match *trailer {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => {
            return Err(BytecodeError::new(
                "file ends before the checksum",
                bytes.len(),
            ));
        }
    };
    let computed = crc32fast::hash(body);
    if stored != computed {
        return Err(BytecodeError::new(
            format!("checksum mismatch (stored 0x{stored:08x}, computed 0x{computed:08x})"),
            body_end,
        ));
    }

    let mut module = Module::default();
    let mut offsets = CodeOffsets::default();
    let mut sections = Sections {
        body,
        pos: HEADER_LEN,
        next: 0,
    };
    sections.parse(|c| read_types(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_forms(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_picks(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_constants(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_globals(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_natives(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_functions(c, version, &mut module, &mut offsets))?;
    sections.parse(|c| read_entry(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_debug(c, &mut module, &mut offsets))?;
    sections.parse(|c| read_sources(c, &mut module))?;
    sections.finish()?;
    Ok((module, offsets))
}

/// Walks the sections of the body (everything between header and trailer) in their fixed order.
struct Sections<'a> {
    body: &'a [u8],
    /// Offset of the next section header.
    pos: usize,
    /// Index in [`SECTIONS`] of the next section expected.
    next: usize,
}

impl<'a> Sections<'a> {
    /// Checks the next section's header and runs `parse` on its payload, which must consume it
    /// exactly; errors are prefixed with the section's name.
    fn parse(
        &mut self,
        parse: impl FnOnce(&mut Cursor<'a>) -> Result<(), BytecodeError>,
    ) -> Result<(), BytecodeError> {
        let (body, pos, index) = (self.body, self.pos, self.next);
        let expected = SECTIONS.get(index).copied().unwrap_or(*b"????");
        let Some(&[t0, t1, t2, t3, l0, l1, l2, l3]) = body.get(pos..pos.saturating_add(8)) else {
            let message = if pos == body.len() {
                format!("missing section {}", tag_name(expected))
            } else {
                format!(
                    "file ends inside the header of section {}",
                    tag_name(expected)
                )
            };
            return Err(BytecodeError::new(message, pos));
        };
        let tag = [t0, t1, t2, t3];
        if tag != expected {
            let message = match SECTIONS.iter().position(|known| *known == tag) {
                Some(found) if found < index => format!("duplicate section {}", tag_name(tag)),
                Some(_) => format!(
                    "missing section {} (found section {})",
                    tag_name(expected),
                    tag_name(tag)
                ),
                None => format!(
                    "unknown section tag {} (expected {})",
                    tag_name(tag),
                    tag_name(expected)
                ),
            };
            return Err(BytecodeError::new(message, pos));
        }
        let length = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
        let start = pos + 8;
        let left = body.len() - start;
        if length > left {
            return Err(BytecodeError::new(
                format!(
                    "section {} claims {length} bytes but only {left} remain",
                    tag_name(tag)
                ),
                pos + 4,
            ));
        }
        let end = start + length;
        let name = tag_name(tag);
        let mut cursor = Cursor {
            bytes: body,
            pos: start,
            end,
        };
        parse(&mut cursor).within(|| format!("section {name}"))?;
        if cursor.pos != end {
            return Err(BytecodeError::new(
                format!(
                    "section {name}: {} unexpected bytes at the end of the section",
                    end - cursor.pos
                ),
                cursor.pos,
            ));
        }
        self.pos = end;
        self.next += 1;
        Ok(())
    }

    /// Requires the body to end after the last section.
    fn finish(&self) -> Result<(), BytecodeError> {
        let (body, pos) = (self.body, self.pos);
        if pos >= body.len() {
            return Ok(());
        }
        let message = match body.get(pos..pos + 4) {
            Some(&[t0, t1, t2, t3]) if SECTIONS.contains(&[t0, t1, t2, t3]) => {
                format!("duplicate section {}", tag_name([t0, t1, t2, t3]))
            }
            _ => format!(
                "{} unexpected bytes after the last section",
                body.len() - pos
            ),
        };
        Err(BytecodeError::new(message, pos))
    }
}

/// A tag for messages: the four characters when printable ASCII, else hex bytes.
fn tag_name(tag: [u8; 4]) -> String {
    if tag.iter().all(|byte| byte.is_ascii_graphic()) {
        tag.iter().map(|&byte| char::from(byte)).collect()
    } else {
        format!("0x{:02x}{:02x}{:02x}{:02x}", tag[0], tag[1], tag[2], tag[3])
    }
}

/// Reads values from `bytes[pos..end]`; offsets stay absolute so errors can name them.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.end - self.pos
    }

    fn truncated(&self, what: &str) -> BytecodeError {
        BytecodeError::new(format!("{what}: section ends too early"), self.pos)
    }

    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], BytecodeError> {
        if len > self.remaining() {
            return Err(self.truncated(what));
        }
        let slice = self
            .bytes
            .get(self.pos..self.pos + len)
            .ok_or_else(|| self.truncated(what))?;
        self.pos += len;
        Ok(slice)
    }

    fn byte(&mut self, what: &str) -> Result<u8, BytecodeError> {
        match self.take(1, what)? {
            &[byte] => Ok(byte),
            _ => Err(self.truncated(what)),
        }
    }

    fn flag(&mut self, what: &str) -> Result<bool, BytecodeError> {
        let offset = self.pos;
        match self.byte(what)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(BytecodeError::new(
                format!("{what}: flag byte {other} is not 0 or 1"),
                offset,
            )),
        }
    }

    fn fixed8(&mut self, what: &str) -> Result<[u8; 8], BytecodeError> {
        let slice = self.take(8, what)?;
        let mut array = [0u8; 8];
        array.copy_from_slice(slice);
        Ok(array)
    }

    /// An unsigned LEB128 value of at most 32 bits, in its shortest encoding.
    fn u32(&mut self, what: &str) -> Result<u32, BytecodeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.byte(what)?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(BytecodeError::new(
                        format!("{what}: LEB128 value is not in its shortest form"),
                        start,
                    ));
                }
                break;
            }
            shift += 7;
            if shift >= 35 {
                return Err(BytecodeError::new(
                    format!("{what}: LEB128 value is longer than 5 bytes"),
                    start,
                ));
            }
        }
        u32::try_from(value).map_err(|_| {
            BytecodeError::new(
                format!("{what}: value {value} does not fit in 32 bits"),
                start,
            )
        })
    }

    fn u16(&mut self, what: &str) -> Result<u16, BytecodeError> {
        let start = self.pos;
        let value = self.u32(what)?;
        u16::try_from(value).map_err(|_| {
            BytecodeError::new(
                format!("{what}: value {value} does not fit in 16 bits"),
                start,
            )
        })
    }

    /// A count of entries that take at least `min_entry_size` bytes each; refused when the bytes
    /// left cannot hold that many.
    fn count(&mut self, what: &str, min_entry_size: usize) -> Result<usize, BytecodeError> {
        let start = self.pos;
        let count = self.u32(what)? as usize;
        let needed = count.saturating_mul(min_entry_size);
        if needed > self.remaining() {
            return Err(BytecodeError::new(
                format!(
                    "{what}: {count} entries need at least {needed} bytes but only {} remain",
                    self.remaining()
                ),
                start,
            ));
        }
        Ok(count)
    }

    fn string(&mut self, what: &str) -> Result<String, BytecodeError> {
        let len = self.count(what, 1)?;
        let start = self.pos;
        let bytes = self.take(len, what)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(error) => Err(BytecodeError::new(
                format!("{what}: text is not valid UTF-8"),
                start + error.valid_up_to(),
            )),
        }
    }

    fn type_id(&mut self, what: &str) -> Result<u32, BytecodeError> {
        self.u32(what)
    }
}

fn read_types(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("type count", 1)?;
    for index in 0..count {
        offsets.types.push(c.pos);
        let ty = read_type(c).within(|| format!("type {index}"))?;
        module.types.push(ty);
    }
    Ok(())
}

fn read_type(c: &mut Cursor<'_>) -> Result<Type, BytecodeError> {
    let offset = c.pos;
    Ok(match c.byte("tag")? {
        type_tag::VOID => Type::Void,
        type_tag::INT => Type::Int,
        type_tag::FLOAT => Type::Float,
        type_tag::BOOL => Type::Bool,
        type_tag::STR => Type::Str,
        type_tag::ARRAY => Type::Array(c.type_id("element type")?),
        type_tag::MAP => Type::Map(c.type_id("key type")?, c.type_id("value type")?),
        type_tag::NULLABLE => Type::Nullable(c.type_id("inner type")?),
        type_tag::FORM => Type::Form(c.u32("form index")?),
        type_tag::PICK => Type::Pick(c.u32("pick index")?),
        type_tag::THREAD => Type::Thread,
        type_tag::CHAN => Type::Chan(c.type_id("element type")?),
        other => {
            return Err(BytecodeError::new(
                format!("unknown type tag {other}"),
                offset,
            ));
        }
    })
}

fn read_fields(c: &mut Cursor<'_>) -> Result<Vec<FieldDef>, BytecodeError> {
    let count = c.count("field count", 2)?;
    let mut fields = Vec::new();
    for index in 0..count {
        fields.push(read_field(c).within(|| format!("field {index}"))?);
    }
    Ok(fields)
}

fn read_field(c: &mut Cursor<'_>) -> Result<FieldDef, BytecodeError> {
    let name = c.string("name")?;
    let ty = c.type_id("type")?;
    Ok(FieldDef { name, ty })
}

fn read_forms(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("form count", 2)?;
    for index in 0..count {
        offsets.forms.push(c.pos);
        let form = read_form(c).within(|| format!("form {index}"))?;
        module.forms.push(form);
    }
    Ok(())
}

fn read_form(c: &mut Cursor<'_>) -> Result<FormDef, BytecodeError> {
    let name = c.string("name")?;
    let fields = read_fields(c)?;
    Ok(FormDef { name, fields })
}

fn read_picks(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("pick count", 2)?;
    for index in 0..count {
        offsets.picks.push(c.pos);
        let pick = read_pick(c).within(|| format!("pick {index}"))?;
        module.picks.push(pick);
    }
    Ok(())
}

fn read_pick(c: &mut Cursor<'_>) -> Result<PickDef, BytecodeError> {
    let name = c.string("name")?;
    let case_count = c.count("case count", 2)?;
    let mut cases = Vec::new();
    for index in 0..case_count {
        cases.push(read_case(c).within(|| format!("case {index}"))?);
    }
    Ok(PickDef { name, cases })
}

fn read_case(c: &mut Cursor<'_>) -> Result<CaseDef, BytecodeError> {
    let name = c.string("name")?;
    let fields = read_fields(c)?;
    Ok(CaseDef { name, fields })
}

fn read_constants(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("constant count", 2)?;
    for index in 0..count {
        offsets.constants.push(c.pos);
        let constant = read_constant(c).within(|| format!("constant {index}"))?;
        module.constants.push(constant);
    }
    Ok(())
}

fn read_constant(c: &mut Cursor<'_>) -> Result<Constant, BytecodeError> {
    let offset = c.pos;
    Ok(match c.byte("tag")? {
        const_tag::INT => Constant::Int(i64::from_le_bytes(c.fixed8("int value")?)),
        const_tag::FLOAT => {
            Constant::Float(f64::from_bits(u64::from_le_bytes(c.fixed8("float value")?)))
        }
        const_tag::STR => Constant::Str(c.string("string value")?),
        other => {
            return Err(BytecodeError::new(
                format!("unknown constant tag {other}"),
                offset,
            ));
        }
    })
}

fn read_globals(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("global count", 2)?;
    for index in 0..count {
        offsets.globals.push(c.pos);
        let global = read_global(c).within(|| format!("global {index}"))?;
        module.globals.push(global);
    }
    Ok(())
}

fn read_global(c: &mut Cursor<'_>) -> Result<GlobalDef, BytecodeError> {
    let name = c.string("name")?;
    let ty = c.type_id("type")?;
    Ok(GlobalDef { name, ty })
}

fn read_natives(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("native count", 3)?;
    for index in 0..count {
        offsets.natives.push(c.pos);
        let native = read_native(c).within(|| format!("native {index}"))?;
        module.natives.push(native);
    }
    Ok(())
}

fn read_native(c: &mut Cursor<'_>) -> Result<NativeImport, BytecodeError> {
    let name = c.string("name")?;
    let param_count = c.count("parameter count", 1)?;
    let mut params = Vec::new();
    for _ in 0..param_count {
        params.push(c.type_id("parameter type")?);
    }
    let ret = c.type_id("return type")?;
    Ok(NativeImport { name, params, ret })
}

fn read_functions(
    c: &mut Cursor<'_>,
    version: u16,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count = c.count("function count", 5)?;
    for index in 0..count {
        let header = c.pos;
        let mut code_offsets = Vec::new();
        let mut handler_offsets = Vec::new();
        let function = read_function(c, version, &mut code_offsets, &mut handler_offsets)
            .within(|| format!("function {index}"))?;
        offsets.functions.push(FunctionOffsets {
            header,
            code: code_offsets,
            handlers: handler_offsets,
            ..Default::default()
        });
        module.functions.push(function);
    }
    Ok(())
}

fn read_function(
    c: &mut Cursor<'_>,
    version: u16,
    code_offsets: &mut Vec<usize>,
    handler_offsets: &mut Vec<usize>,
) -> Result<Function, BytecodeError> {
    let name = c.string("name")?;
    let param_count = c.u16("parameter count")?;
    let ret = c.type_id("return type")?;
    let register_count = c.count("register count", 1)?;
    let mut registers = Vec::new();
    for _ in 0..register_count {
        registers.push(c.type_id("register type")?);
    }
    let code_len = c.count("code size", 1)?;
    let code_start = c.pos;
    let blob = c.take(code_len, "code")?;
    let mut code = Vec::new();
    let mut pos = 0;
    while pos < blob.len() {
        code_offsets.push(code_start + pos);
        let pc = code.len();
        let instr = Instr::decode(blob, &mut pos).map_err(|error| {
            BytecodeError::new(format!("pc {pc}: {error}"), code_start + error.offset())
        })?;
        code.push(instr);
    }
    // Version 1 has no handler tables.
    let mut handlers = Vec::new();
    if version >= 2 {
        let handler_count = c.count("handler count", 4)?;
        for index in 0..handler_count {
            handler_offsets.push(c.pos);
            handlers.push(read_handler(c).within(|| format!("handler {index}"))?);
        }
    }
    Ok(Function {
        name,
        param_count,
        ret,
        registers,
        code,
        handlers,
        debug: FunctionDebug::default(),
    })
}

fn read_handler(c: &mut Cursor<'_>) -> Result<Handler, BytecodeError> {
    Ok(Handler {
        start_pc: c.u32("start pc")?,
        end_pc: c.u32("end pc")?,
        target_pc: c.u32("target pc")?,
        message_register: c.u16("message register")?,
    })
}

fn read_entry(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    offsets.entry = c.pos;
    module.entry = c.u32("entry function")?;
    offsets.init = c.pos;
    module.init = if c.flag("init present")? {
        Some(c.u32("init function")?)
    } else {
        None
    };
    Ok(())
}

fn read_debug(
    c: &mut Cursor<'_>,
    module: &mut Module,
    offsets: &mut CodeOffsets,
) -> Result<(), BytecodeError> {
    let count_offset = c.pos;
    let count = c.count("function count", 5)?;
    if count != module.functions.len() {
        return Err(BytecodeError::new(
            format!(
                "debug information for {count} functions but section FUNC has {}",
                module.functions.len()
            ),
            count_offset,
        ));
    }
    for (index, (function, function_offsets)) in module
        .functions
        .iter_mut()
        .zip(offsets.functions.iter_mut())
        .enumerate()
    {
        function_offsets.debug = c.pos;
        function.debug =
            read_function_debug(c, function_offsets).within(|| format!("function {index}"))?;
    }
    Ok(())
}

fn read_function_debug(
    c: &mut Cursor<'_>,
    offsets: &mut FunctionOffsets,
) -> Result<FunctionDebug, BytecodeError> {
    let file = c.u32("file")?;
    let line = c.u32("line")?;
    let col = c.u32("column")?;
    let line_count = c.count("line table size", 4)?;
    let mut lines = Vec::new();
    for index in 0..line_count {
        offsets.lines.push(c.pos);
        lines.push(read_line_entry(c).within(|| format!("line table entry {index}"))?);
    }
    let local_count = c.count("local count", 4)?;
    let mut locals = Vec::new();
    for index in 0..local_count {
        offsets.locals.push(c.pos);
        locals.push(read_local(c).within(|| format!("local {index}"))?);
    }
    Ok(FunctionDebug {
        file,
        line,
        col,
        lines,
        locals,
    })
}

fn read_line_entry(c: &mut Cursor<'_>) -> Result<LineEntry, BytecodeError> {
    let pc = c.u32("pc")?;
    let line = c.u32("line")?;
    let col = c.u32("column")?;
    let is_stmt = c.flag("statement flag")?;
    Ok(LineEntry {
        pc,
        line,
        col,
        is_stmt,
    })
}

fn read_local(c: &mut Cursor<'_>) -> Result<LocalVar, BytecodeError> {
    let name = c.string("name")?;
    let register = c.u16("register")?;
    let start_pc = c.u32("start pc")?;
    let end_pc = c.u32("end pc")?;
    Ok(LocalVar {
        name,
        register,
        start_pc,
        end_pc,
    })
}

fn read_sources(c: &mut Cursor<'_>, module: &mut Module) -> Result<(), BytecodeError> {
    let count = c.count("source count", 2)?;
    for index in 0..count {
        let source = read_source(c).within(|| format!("source {index}"))?;
        module.sources.push(source);
    }
    Ok(())
}

fn read_source(c: &mut Cursor<'_>) -> Result<SourceFile, BytecodeError> {
    let path = c.string("path")?;
    let text = c.string("text")?;
    Ok(SourceFile { path, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(bytes: &[u8]) -> Cursor<'_> {
        Cursor {
            bytes,
            pos: 0,
            end: bytes.len(),
        }
    }

    #[test]
    fn leb128_round_trips_at_every_width() {
        for value in [
            0,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            0x1f_ffff,
            0x20_0000,
            u32::MAX,
        ] {
            let mut bytes = Vec::new();
            put_u32(&mut bytes, value);
            let mut c = cursor(&bytes);
            assert_eq!(c.u32("value"), Ok(value));
            assert_eq!(c.pos, bytes.len());
        }
    }

    #[test]
    fn leb128_rejects_long_overlong_and_wide_values() {
        let error = cursor(&[0x80, 0x00]).u32("count").unwrap_err();
        assert_eq!(
            error.message,
            "count: LEB128 value is not in its shortest form"
        );
        let error = cursor(&[0xff, 0xff, 0xff, 0xff, 0x1f])
            .u32("count")
            .unwrap_err();
        assert_eq!(
            error.message,
            "count: value 8589934591 does not fit in 32 bits"
        );
        let error = cursor(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
            .u32("count")
            .unwrap_err();
        assert_eq!(error.message, "count: LEB128 value is longer than 5 bytes");
        let error = cursor(&[0x80]).u32("count").unwrap_err();
        assert_eq!(error.message, "count: section ends too early");
        assert_eq!(error.offset, 1);
        let error = cursor(&[0x80, 0x80, 0x04]).u16("register").unwrap_err();
        assert_eq!(
            error.message,
            "register: value 65536 does not fit in 16 bits"
        );
    }

    #[test]
    fn counts_are_bounded_by_the_bytes_left() {
        let error = cursor(&[0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])
            .count("type count", 1)
            .unwrap_err();
        assert_eq!(
            error.message,
            "type count: 4294967295 entries need at least 4294967295 bytes but only 2 remain"
        );
        assert_eq!(error.offset, 0);
        assert_eq!(cursor(&[2, 1, 2]).count("type count", 1), Ok(2));
    }

    #[test]
    fn tag_names_are_printable() {
        assert_eq!(tag_name(*b"FUNC"), "FUNC");
        assert_eq!(tag_name([0, 1, 0xff, b'A']), "0x0001ff41");
    }
}
