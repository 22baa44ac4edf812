//! `launch`: from a launch configuration to a loaded [`Vm`] whose output becomes `output` events
//! and whose thread changes become `thread` events.
//!
//! A `.vit` program is compiled (a compile error fails the launch with the rendered diagnostics; a
//! warning becomes a `console` output event); a `.vitbc` program is read and verified. Relative
//! paths (`program`, `allowRead`, `allowWrite`) resolve against `cwd`. The program's stdin is
//! empty: the adapter's own stdin carries the protocol.
//!
//! Environment: `env()` reads the adapter's environment through the VM's sandbox, only with
//! `allowEnv`. With `allowEnv: true` every variable is readable; with a list of names only those
//! are (the others raise a permission error); the launch configuration's `env` entries are what
//! `env()` gives for their names (they do not change the adapter's own environment).

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use vitte_compiler::driver::compile_file;
use vitte_compiler::loader::{read_regular_file, read_source_file};
use vitte_vm::debug::ThreadEvent;
use vitte_vm::{NativeSignature, NativeType, PathAccess, Sandbox, Trap, Vm, VmConfig};

use super::{Engine, Shared, thread_event};
use crate::proto::from_proto::{EnvAccess, LaunchArguments, PathList};
use crate::proto::{DapError, error_id, to_proto};
use crate::transport::Outbox;

/// The heap limit of a debugged program (as `vitte run`'s default).
const MAX_HEAP: usize = 1 << 30;

/// A source file of the loaded program, as shown to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SourceView {
    /// The absolute path.
    pub(crate) path: String,
    /// 0 when the file on disk holds the text that was compiled; else its `sourceReference`.
    pub(crate) reference: i64,
}

/// A loaded program and how it is to be run.
pub(crate) struct Loaded {
    pub(crate) vm: Vm,
    pub(crate) sources: Vec<SourceView>,
    pub(crate) no_debug: bool,
    pub(crate) stop_on_entry: bool,
    /// `debug_start` was called.
    pub(crate) started: bool,
    /// The run is over.
    pub(crate) ended: bool,
}

impl Loaded {
    /// The `Source` object of source `index`.
    pub(crate) fn source_json(&self, index: u32) -> Option<Value> {
        let view = self.sources.get(index as usize)?;
        Some(to_proto::source(&view.path, view.reference))
    }

    /// The index of the source the client names by `path` (absolute, as the module has it, or by
    /// a unique file name) or by `reference`.
    pub(crate) fn source_index(&self, path: Option<&str>, reference: Option<i64>) -> Option<u32> {
        if let Some(reference) = reference.filter(|&reference| reference > 0) {
            let index = usize::try_from(reference - 1).ok()?;
            return (index < self.sources.len()).then_some(index as u32);
        }
        let path = path?;
        if let Some(index) = self.sources.iter().position(|view| view.path == path) {
            return Some(index as u32);
        }
        let normalised = normalise(Path::new(path));
        if let Some(index) = self
            .sources
            .iter()
            .position(|view| Path::new(&view.path) == normalised)
        {
            return Some(index as u32);
        }
        let module = self.vm.module()?;
        vitte_vm::debug::lines::source_index(module, path)
    }
}

/// `path` with `.` and `a/..` removed, without touching the file system.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

fn launch_error(message: impl Into<String>) -> DapError {
    DapError::new(error_id::LAUNCH_FAILED, message)
}

/// `allowRead` / `allowWrite` as a [`PathAccess`].
fn path_access(list: Option<&PathList>, cwd: &Path) -> PathAccess {
    match list {
        None | Some(PathList::All(false)) => PathAccess::Denied,
        Some(PathList::All(true)) => PathAccess::Any,
        Some(PathList::Paths(paths)) => {
            PathAccess::Paths(paths.iter().map(|path| cwd.join(path)).collect())
        }
    }
}

/// Loads the program of `args` into a new VM set up for the engine's session.
pub(crate) fn load(args: &LaunchArguments, engine: &Engine) -> Result<Loaded, DapError> {
    let program = args
        .program
        .as_deref()
        .filter(|program| !program.trim().is_empty())
        .ok_or_else(|| {
            DapError::arguments("'launch' needs 'program': the .vit or .vitbc file to debug")
        })?;
    let here = std::env::current_dir().unwrap_or_default();
    let cwd = match &args.cwd {
        Some(cwd) => {
            let cwd = normalise(&here.join(cwd));
            if !cwd.is_dir() {
                return Err(launch_error(format!(
                    "cwd '{}' is not a folder",
                    cwd.display()
                )));
            }
            if engine.options.set_process_cwd {
                std::env::set_current_dir(&cwd).map_err(|error| {
                    launch_error(format!("cannot enter cwd '{}': {error}", cwd.display()))
                })?;
            }
            cwd
        }
        None => here,
    };
    let path = normalise(&cwd.join(program));
    let env_names = match &args.allow_env {
        None | Some(EnvAccess::All(false)) => None,
        Some(EnvAccess::All(true)) => Some(None),
        Some(EnvAccess::Names(names)) => Some(Some(names.iter().cloned().collect::<HashSet<_>>())),
    };
    let config = VmConfig {
        args: args.args.clone(),
        max_heap: Some(MAX_HEAP),
        sandbox: Sandbox {
            read: path_access(args.allow_read.as_ref(), &cwd),
            write: path_access(args.allow_write.as_ref(), &cwd),
            env: env_names.is_some(),
        },
        ..VmConfig::default()
    };
    let mut vm = Vm::with_config(config);
    if let Some(names) = env_names {
        let values: HashMap<String, Option<String>> = args
            .env
            .iter()
            .flatten()
            .map(|(name, value)| (name.clone(), value.as_str().map(str::to_string)))
            .collect();
        if names.is_some() || !values.is_empty() {
            register_env(&mut vm, names, values);
        }
    }
    let shown = path.display().to_string();
    if path.extension() == Some(OsStr::new("vitbc")) {
        let bytes = read_regular_file(&path)
            .map_err(|error| launch_error(format!("cannot read '{shown}': {error}")))?;
        vm.load_bytes(&bytes)
            .map_err(|error| launch_error(format!("cannot load '{shown}': {error}")))?;
    } else {
        if let Err(error) = std::fs::metadata(&path) {
            return Err(launch_error(format!("cannot read '{shown}': {error}")));
        }
        let compilation = compile_file(&path);
        let rendered = compilation.render_diagnostics();
        let module = match compilation.module {
            Some(module) if !compilation.has_errors() => module,
            _ => {
                return Err(launch_error(format!(
                    "cannot compile '{shown}':\n{rendered}"
                )));
            }
        };
        if !rendered.is_empty() {
            engine.output("console", &ensure_newline(rendered));
        }
        vm.load_module(module)
            .map_err(|error| launch_error(format!("cannot load '{shown}': {error}")))?;
    }
    vm.set_stdout(Box::new(OutputWriter::new(engine.out.clone(), "stdout")));
    vm.set_stderr(Box::new(OutputWriter::new(engine.out.clone(), "stderr")));
    vm.set_stdin(Box::new(io::empty()));
    vm.debug_set_thread_events(thread_sink(engine.out.clone(), Arc::clone(&engine.shared)));
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let sources = vm
        .module()
        .map(|module| {
            module
                .sources
                .iter()
                .enumerate()
                .map(|(index, source)| {
                    source_view(&source.path, &source.text, index, &cwd, &folder)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Loaded {
        vm,
        sources,
        no_debug: args.no_debug,
        stop_on_entry: args.stop_on_entry,
        started: false,
        ended: false,
    })
}

fn ensure_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Where source `path` (as the module records it) is, and whether the client can read it there.
fn source_view(path: &str, text: &str, index: usize, cwd: &Path, folder: &Path) -> SourceView {
    let recorded = Path::new(path);
    let absolute = if recorded.is_absolute() {
        normalise(recorded)
    } else {
        let candidates = [cwd.join(recorded), folder.join(recorded)];
        candidates
            .iter()
            .find(|candidate| candidate.is_file())
            .map_or_else(|| normalise(&cwd.join(recorded)), |found| normalise(found))
    };
    let same = read_source_file(&absolute).is_ok_and(|disk| disk == text);
    SourceView {
        path: absolute.display().to_string(),
        reference: if same { 0 } else { index as i64 + 1 },
    }
}

/// Replaces the `env` built-in: only `names` (all when `None`) may be read, and `values` give the
/// launch configuration's values.
fn register_env(
    vm: &mut Vm,
    names: Option<HashSet<String>>,
    values: HashMap<String, Option<String>>,
) {
    let signature =
        NativeSignature::new(vec![NativeType::Str], NativeType::nullable(NativeType::Str));
    vm.natives_mut()
        .register("env", signature, move |ctx, args: &[u64]| {
            let &[name] = args else {
                return Err(Trap::internal("env takes one argument"));
            };
            let name = ctx.str(name)?.to_string();
            if names.as_ref().is_some_and(|names| !names.contains(&name)) {
                return Err(Trap::new(format!(
                    "permission denied: env(\"{name}\") is not in the launch configuration's allowEnv"
                )));
            }
            let value = match values.get(&name) {
                Some(value) => value.clone(),
                None => ctx.sys.env(&name)?,
            };
            match value {
                Some(value) => {
                    ctx.heap.check_alloc(value.len())?;
                    Ok(ctx.alloc_string(value))
                }
                None => Ok(0),
            }
        });
}

/// The VM's thread events as `thread` events.
fn thread_sink(out: Outbox, shared: Arc<Shared>) -> Box<dyn FnMut(ThreadEvent)> {
    Box::new(move |event| match event {
        ThreadEvent::Started(id) => {
            if shared.thread_started(id) {
                thread_event(&out, "started", id);
            }
        }
        ThreadEvent::Exited(id) => {
            if shared.thread_exited(id) {
                thread_event(&out, "exited", id);
            }
        }
    })
}

/// The program's stdout or stderr: complete lines become `output` events; the rest waits for a
/// newline or a flush (the VM flushes whenever the run stops).
struct OutputWriter {
    out: Outbox,
    category: &'static str,
    pending: Vec<u8>,
}

/// Text held back waiting for a newline before it is sent anyway.
const MAX_PENDING: usize = 16 << 10;

impl OutputWriter {
    fn new(out: Outbox, category: &'static str) -> OutputWriter {
        OutputWriter {
            out,
            category,
            pending: Vec::new(),
        }
    }

    /// Sends the first `len` pending bytes (fewer when that would cut a character).
    fn emit(&mut self, len: usize) {
        let len = match std::str::from_utf8(&self.pending[..len]) {
            Ok(_) => len,
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(_) => len,
        };
        if len == 0 {
            return;
        }
        let text = String::from_utf8_lossy(&self.pending[..len]).into_owned();
        self.pending.drain(..len);
        self.out.send(to_proto::event(
            "output",
            Some(to_proto::output(self.category, &text)),
        ));
    }
}

impl Write for OutputWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&byte| byte == b'\n') {
            self.emit(last + 1);
        } else if self.pending.len() > MAX_PENDING {
            self.emit(self.pending.len());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let len = self.pending.len();
            self.emit(len);
            if !self.pending.is_empty() {
                // Only a cut character is left: send it as it is.
                let len = self.pending.len();
                let text = String::from_utf8_lossy(&self.pending[..len]).into_owned();
                self.pending.clear();
                self.out.send(to_proto::event(
                    "output",
                    Some(to_proto::output(self.category, &text)),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::normalise;

    #[test]
    fn paths_are_normalised_without_the_file_system() {
        assert_eq!(
            normalise(Path::new("/a/./b/../c.vit")),
            PathBuf::from("/a/c.vit")
        );
        assert_eq!(normalise(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalise(Path::new("/..")), PathBuf::from("/"));
        assert_eq!(normalise(Path::new("../../x")), PathBuf::from("../../x"));
    }
}
