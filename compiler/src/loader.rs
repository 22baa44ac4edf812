//! Loading a whole program: the root file and, transitively, every file it names with `use`.
//!
//! [`load_program`] reads files through a [`FileLoader`] (the file system for the CLI, open editor
//! buffers for the language server), parses each once, resolves `use` paths relative to the importing
//! file's folder (`use lib/strings` is `lib/strings.vit`, `..` goes up one folder), reports missing
//! files, `use` cycles and duplicate aliases, and never fails: problems become diagnostics.
//!
//! Paths are kept as they are shown to people: the root path as given, and a used file as the importing
//! file's folder joined with the `use` path, normalised without touching the file system (`./` and
//! `a/../` removed). Two `use`s that normalise to the same path load that file once.
//!
//! A `use` cycle is reported once, at the `use` through which loading entered the cycle (for a cycle
//! through the root, at the root's `use` that starts it), as `use cycle: a.vit -> b.vit -> a.vit` with
//! the files named relative to the root's folder. A missing file, an unreadable file and a duplicate
//! alias are reported at the `use` that names them.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::ast;
use crate::diagnostics::Diagnostic;
use crate::parser::parse_file;
use crate::source::{FileId, SourceMap, Span};

/// Where source text comes from.
pub trait FileLoader {
    /// The text of the file at `path`.
    ///
    /// # Errors
    /// The file cannot be read.
    fn read(&self, path: &Path) -> io::Result<String>;
}

/// Reads files from the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsLoader;

impl FileLoader for FsLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        read_source_file(path)
    }
}

/// The largest file [`read_regular_file`] reads: 64 MiB, far beyond any program's source or
/// bytecode.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads the whole of a file that a user, a client or a program's debug information named,
/// defensively: only a regular file (a device such as `/dev/zero` never ends, a FIFO or a terminal
/// can block for ever), and at most [`MAX_FILE_BYTES`]. The compiler, the command line, the debug
/// adapter and the language server all read programs through it.
///
/// # Errors
/// The file cannot be opened or read; it is a directory (`IsADirectory`), another kind of file
/// that is not a regular file (`InvalidInput`), or larger than the limit (`FileTooLarge`).
pub fn read_regular_file(path: &Path) -> io::Result<Vec<u8>> {
    // Looked at before opening: opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path)?;
    if metadata.is_dir() {
        return Err(io::Error::from(io::ErrorKind::IsADirectory));
    }
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("it is larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    Ok(bytes)
}

/// Every `.vit` file under `dir` and its subfolders, sorted; folders that cannot be read are
/// skipped (an absent `dir` has none).
pub fn vit_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "vit") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// [`read_regular_file`] as UTF-8 text.
///
/// # Errors
/// Those of [`read_regular_file`], and `InvalidData` when the file is not valid UTF-8.
pub fn read_source_file(path: &Path) -> io::Result<String> {
    String::from_utf8(read_regular_file(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not valid UTF-8 text"))
}

/// `use` of another file, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The alias its items are reached through (`s` in `use lib/strings as s`, else the last segment).
    pub alias: String,
    /// Index into [`Program::files`] of the used file.
    pub file: usize,
    /// The `use` declaration.
    pub span: Span,
}

/// One parsed file of a program.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedFile {
    /// Its path on disk.
    pub path: PathBuf,
    /// Its syntax tree.
    pub ast: ast::File,
    /// Its `use` declarations that resolved to a loaded file.
    pub imports: Vec<Import>,
}

/// A whole program, ready for checking.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Text of every file (ids match `ParsedFile::ast.file`).
    pub sources: SourceMap,
    /// Every file, dependencies before the files that use them; the root file is last.
    pub files: Vec<ParsedFile>,
    /// Syntax errors and loading errors (missing file, cycle), in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Program {
    /// The root file (the one given to [`load_program`]).
    pub fn root(&self) -> Option<&ParsedFile> {
        self.files.last()
    }

    /// How deep the deepest of its files is.
    pub fn depth(&self) -> ast::TreeDepth {
        self.files
            .iter()
            .fold(ast::TreeDepth::default(), |deepest, file| {
                deepest.max(file.ast.depth)
            })
    }
}

/// Loads `root` and every file it uses.
///
/// The result lists dependencies before the files that use them, with the root last. A root that
/// cannot be read is still added to the source map, with empty text, so that the diagnostic
/// `cannot read PATH: REASON` can point at it (line 1, column 1); the program then has no files.
pub fn load_program(loader: &dyn FileLoader, root: &Path) -> Program {
    let mut state = LoadState {
        loader,
        sources: SourceMap::new(),
        files: Vec::new(),
        done: HashMap::new(),
        diagnostics_of: HashMap::new(),
        root_folder: normalise(root)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let (text, failure) = match loader.read(root) {
        Ok(text) => (text, None),
        Err(err) => (String::new(), Some(err)),
    };
    let id = state.sources.add(display(root), text);
    if let Some(err) = failure {
        let message = format!("cannot read {}: {}", display(root), reason(&err));
        let diagnostics = vec![Diagnostic::error(Span::new(id, 0, 0), message)];
        return Program {
            sources: state.sources,
            files: Vec::new(),
            diagnostics,
        };
    }
    state.run(root.to_path_buf(), id);
    state.finish()
}

/// A path as shown in diagnostics.
fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Removes `.` components and folds `name/..` away, without touching the file system.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            _ => out.push(component),
        }
    }
    out.iter().collect()
}

/// Why a file could not be read, in the words of a diagnostic.
fn reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "file not found".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        io::ErrorKind::InvalidData => "it is not valid UTF-8 text".to_string(),
        _ => err.to_string(),
    }
}

/// A file whose `use`s are being followed.
struct Frame {
    /// The path it was read from.
    path: PathBuf,
    /// `path` normalised: what identifies the file.
    key: PathBuf,
    ast: ast::File,
    /// Index of the next `use` to follow.
    next_use: usize,
    /// Aliases of the `use`s followed so far (resolved or not).
    aliases: Vec<String>,
    imports: Vec<Import>,
    /// The `use` (alias and span) in the importing file that loaded this file.
    used_as: Option<(String, Span)>,
}

struct LoadState<'a> {
    loader: &'a dyn FileLoader,
    sources: SourceMap,
    files: Vec<ParsedFile>,
    /// Index in `files` of every finished file, by normalised path.
    done: HashMap<PathBuf, usize>,
    /// Diagnostics of each file (syntax errors, then loading errors).
    diagnostics_of: HashMap<FileId, Vec<Diagnostic>>,
    /// The root file's folder, normalised.
    root_folder: PathBuf,
}

impl LoadState<'_> {
    /// `path` relative to the root file's folder, for naming files in a message.
    fn short_name(&self, path: &Path) -> String {
        display(path.strip_prefix(&self.root_folder).unwrap_or(path))
    }

    fn error(&mut self, span: Span, message: String) {
        self.diagnostics_of
            .entry(span.file)
            .or_default()
            .push(Diagnostic::error(span, message));
    }

    fn parse(&mut self, path: PathBuf, id: FileId, used_as: Option<(String, Span)>) -> Frame {
        let (ast, diagnostics) = parse_file(id, &self.sources.get(id).text);
        self.diagnostics_of
            .entry(id)
            .or_default()
            .extend(diagnostics);
        let key = normalise(&path);
        Frame {
            path,
            key,
            ast,
            next_use: 0,
            aliases: Vec::new(),
            imports: Vec::new(),
            used_as,
        }
    }

    /// Depth-first over the `use`s, with an explicit stack so that a long chain of files cannot
    /// overflow the call stack. A file joins `files` once all its dependencies have.
    fn run(&mut self, root: PathBuf, root_id: FileId) {
        let first = self.parse(root, root_id, None);
        let mut stack = vec![first];
        while let Some(top) = stack.last_mut() {
            let Some(decl) = top.ast.uses.get(top.next_use).cloned() else {
                if let Some(frame) = stack.pop() {
                    let index = self.files.len();
                    self.done.insert(frame.key.clone(), index);
                    if let (Some((alias, span)), Some(importer)) = (frame.used_as, stack.last_mut())
                    {
                        importer.imports.push(Import {
                            alias,
                            file: index,
                            span,
                        });
                    }
                    self.files.push(ParsedFile {
                        path: frame.path,
                        ast: frame.ast,
                        imports: frame.imports,
                    });
                }
                continue;
            };
            top.next_use += 1;
            let Some(alias) = decl
                .alias
                .as_ref()
                .or(decl.path.last())
                .map(|a| a.name.clone())
            else {
                continue;
            };
            if top.aliases.contains(&alias) {
                let message = format!(
                    "the alias '{alias}' is already used by another 'use' in this file; add 'as NAME' to choose another"
                );
                self.error(decl.span, message);
                continue;
            }
            top.aliases.push(alias.clone());
            let segments: Vec<&str> = decl
                .path
                .iter()
                .map(|segment| segment.name.as_str())
                .collect();
            let folder = top.path.parent().unwrap_or(Path::new(""));
            let mut relative: PathBuf = segments.iter().collect();
            relative.set_extension("vit");
            let path = normalise(&folder.join(relative));

            if let Some(at) = stack.iter().position(|frame| frame.key == path) {
                // Reported once, at the `use` through which loading entered the cycle (for a cycle
                // through the root, the root's `use` that starts it), naming the files of the cycle
                // relative to the root's folder.
                let chain: Vec<String> = stack[at..]
                    .iter()
                    .map(|frame| self.short_name(&frame.key))
                    .chain([self.short_name(&path)])
                    .collect();
                let entry = stack[at]
                    .used_as
                    .as_ref()
                    .or_else(|| stack.get(1).and_then(|f| f.used_as.as_ref()));
                let span = entry.map_or(decl.span, |(_, span)| *span);
                self.error(span, format!("use cycle: {}", chain.join(" -> ")));
                continue;
            }
            if let Some(&file) = self.done.get(&path) {
                if let Some(top) = stack.last_mut() {
                    top.imports.push(Import {
                        alias,
                        file,
                        span: decl.span,
                    });
                }
                continue;
            }
            match self.loader.read(&path) {
                Ok(text) => {
                    let id = self.sources.add(display(&path), text);
                    let frame = self.parse(path, id, Some((alias, decl.span)));
                    stack.push(frame);
                }
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    let message = format!(
                        "cannot find module '{}' (looked for {})",
                        segments.join("/"),
                        display(&path)
                    );
                    self.error(decl.span, message);
                }
                Err(err) => {
                    let message = format!("cannot read {}: {}", display(&path), reason(&err));
                    self.error(decl.span, message);
                }
            }
        }
    }

    /// The program, with each file's diagnostics in source order, files in `files` order.
    fn finish(mut self) -> Program {
        let mut diagnostics = Vec::new();
        for file in &self.files {
            let mut of_file = self
                .diagnostics_of
                .remove(&file.ast.file)
                .unwrap_or_default();
            of_file.sort_by_key(|d| d.span.start);
            diagnostics.extend(of_file);
        }
        Program {
            sources: self.sources,
            files: self.files,
            diagnostics,
        }
    }
}
