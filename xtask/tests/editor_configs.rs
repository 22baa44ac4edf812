//! The editor integrations that no editor runs here, checked against the project's own tables:
//!
//! - `editors/helix/languages.toml` (parsed with the `toml` crate): the language, its language server
//!   and its debugger, with only keys Helix knows and template arguments `vitte-dap` accepts;
//! - `editors/emacs/vitte.el` (read by a small s-expression reader, since Emacs is not installed):
//!   balanced forms, the mode, eglot, dape and dap-mode set-ups, with the keys those packages read and
//!   launch arguments `vitte-dap` accepts, and keyword and built-in lists equal to the compiler's;
//! - the VS Code extension's TextMate grammar and snippets: every keyword and built-in of the compiler
//!   appears in the grammar, and every snippet, placeholders filled in, parses.
//!
//! The launch arguments come from `vitte_dap::launch_arguments::LAUNCH_ARGUMENTS`, the keywords from
//! `vitte_compiler::lexer::KEYWORDS` and the built-ins from `vitte_compiler::builtins::Builtin::ALL`.
//! (The Neovim set-up is loaded by a real Neovim: `cargo xtask e2e --suite editors`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vitte_compiler::builtins::Builtin;
use vitte_compiler::lexer::KEYWORDS;
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::FileId;
use vitte_dap::launch_arguments::LAUNCH_ARGUMENTS;

/// A file of the workspace, as text.
fn workspace_file(relative: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

/// Whether `name` is a launch argument of `vitte-dap`.
fn is_launch_argument(name: &str) -> bool {
    LAUNCH_ARGUMENTS
        .iter()
        .any(|argument| argument.name == name)
}

// ---------------------------------------------------------------------------------------------
// Helix

/// The keys of a `[[language]]` table that Helix's documentation lists (it refuses unknown ones).
const HELIX_LANGUAGE_KEYS: &[&str] = &[
    "name",
    "language-id",
    "scope",
    "injection-regex",
    "file-types",
    "shebangs",
    "roots",
    "auto-format",
    "diagnostic-severity",
    "comment-token",
    "comment-tokens",
    "block-comment-tokens",
    "indent",
    "language-servers",
    "grammar",
    "formatter",
    "soft-wrap",
    "text-width",
    "rulers",
    "path-completion",
    "word-completion",
    "workspace-lsp-roots",
    "persistent-diagnostic-sources",
    "auto-pairs",
    "config",
    "debugger",
];

/// The keys of `[language.debugger]` in Helix.
const HELIX_DEBUGGER_KEYS: &[&str] = &[
    "name",
    "transport",
    "command",
    "args",
    "port-arg",
    "templates",
    "quirks",
];

fn helix_config() -> toml::Table {
    let text = workspace_file("editors/helix/languages.toml");
    text.parse::<toml::Table>()
        .unwrap_or_else(|error| panic!("editors/helix/languages.toml does not parse: {error}"))
}

fn strings(value: &toml::Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not an array"))
        .iter()
        .map(|item| {
            item.as_str()
                .unwrap_or_else(|| panic!("{item} is not a string"))
        })
        .collect()
}

fn vitte_language(config: &toml::Table) -> &toml::Table {
    let languages = config["language"].as_array().expect("[[language]] entries");
    let vitte: Vec<_> = languages
        .iter()
        .filter_map(toml::Value::as_table)
        .filter(|language| language.get("name").and_then(toml::Value::as_str) == Some("vitte"))
        .collect();
    assert_eq!(vitte.len(), 1, "one [[language]] named vitte");
    vitte[0]
}

#[test]
fn helix_defines_the_language_with_known_keys() {
    let config = helix_config();
    let language = vitte_language(&config);
    for key in language.keys() {
        assert!(
            HELIX_LANGUAGE_KEYS.contains(&key.as_str()),
            "Helix knows no language key `{key}`"
        );
    }
    assert_eq!(language["scope"].as_str(), Some("source.vitte"));
    assert_eq!(strings(&language["file-types"]), ["vit"]);
    assert_eq!(strings(&language["comment-tokens"])[0], "//");
    let block = language["block-comment-tokens"].as_table().unwrap();
    assert_eq!(
        (block["start"].as_str(), block["end"].as_str()),
        (Some("/*"), Some("*/"))
    );
    assert!(
        !language.contains_key("grammar"),
        "the set-up works without a tree-sitter grammar"
    );
}

#[test]
fn helix_starts_vitte_lsp_for_the_language() {
    let config = helix_config();
    let language = vitte_language(&config);
    let servers = config["language-server"]
        .as_table()
        .expect("[language-server]");
    let used = strings(&language["language-servers"]);
    assert_eq!(used, ["vitte-lsp"]);
    for name in used {
        let server = servers[name]
            .as_table()
            .unwrap_or_else(|| panic!("language server {name} is not defined"));
        assert_eq!(server["command"].as_str(), Some("vitte-lsp"));
        assert_eq!(strings(&server["args"]), ["--stdio"]);
    }
}

#[test]
fn helix_debugs_with_vitte_dap_and_launch_arguments_it_accepts() {
    let config = helix_config();
    let debugger = vitte_language(&config)["debugger"]
        .as_table()
        .expect("[language.debugger]");
    for key in debugger.keys() {
        assert!(
            HELIX_DEBUGGER_KEYS.contains(&key.as_str()),
            "Helix knows no debugger key `{key}`"
        );
    }
    assert_eq!(debugger["transport"].as_str(), Some("stdio"));
    assert_eq!(debugger["command"].as_str(), Some("vitte-dap"));
    assert_eq!(strings(&debugger["args"]), ["--stdio"]);
    let templates = debugger["templates"].as_array().expect("templates");
    assert!(!templates.is_empty());
    for template in templates {
        let template = template.as_table().unwrap();
        let name = template["name"].as_str().expect("a template name");
        assert_eq!(template["request"].as_str(), Some("launch"), "{name}");
        let completions = template["completion"].as_array().expect("completion").len();
        let args = template["args"].as_table().expect("args");
        assert!(args.contains_key("program"), "{name} has no program");
        for (key, value) in args {
            assert!(
                is_launch_argument(key),
                "{name}: vitte-dap accepts no `{key}`"
            );
            let texts: Vec<&str> = match value {
                toml::Value::String(text) => vec![text.as_str()],
                toml::Value::Array(_) => strings(value),
                toml::Value::Boolean(_) => Vec::new(),
                other => panic!("{name}: {key} = {other} is not a string, array or boolean"),
            };
            for text in texts {
                for (index, _) in text.match_indices('{') {
                    let number: String = text[index + 1..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    let number: usize = number.parse().unwrap_or_else(|_| {
                        panic!("{name}: {key} = {text:?} has a `{{` that is no placeholder")
                    });
                    assert!(
                        number < completions,
                        "{name}: {{{number}}} has no completion"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Emacs Lisp

/// An Emacs Lisp datum, as far as the checks need: lists, vectors, strings and other atoms.
#[derive(Clone, Debug, PartialEq)]
enum Sexp {
    /// `( … )`.
    List(Vec<Sexp>),
    /// `[ … ]`.
    Vector(Vec<Sexp>),
    /// `"…"`, escapes decoded.
    Str(String),
    /// A symbol, keyword, number or character literal, as written.
    Atom(String),
    /// `'x`, `` `x ``, `,x`, `,@x` or `#'x`: the prefix and the quoted datum.
    Quoted(&'static str, Box<Sexp>),
}

impl Sexp {
    fn atom(&self) -> Option<&str> {
        match self {
            Sexp::Atom(name) => Some(name),
            _ => None,
        }
    }

    fn string(&self) -> Option<&str> {
        match self {
            Sexp::Str(text) => Some(text),
            _ => None,
        }
    }

    fn items(&self) -> &[Sexp] {
        match self {
            Sexp::List(items) | Sexp::Vector(items) => items,
            _ => &[],
        }
    }

    /// The datum without its quote (`'x` is `x`).
    fn unquoted(&self) -> &Sexp {
        match self {
            Sexp::Quoted(_, inner) => inner.unquoted(),
            other => other,
        }
    }

    /// Whether this is a list whose head is the symbol `head`.
    fn is_call(&self, head: &str) -> bool {
        self.items().first().and_then(Sexp::atom) == Some(head)
    }

    /// This datum and every datum inside it, depth first.
    fn walk(&self) -> Vec<&Sexp> {
        let mut all = vec![self];
        match self {
            Sexp::List(items) | Sexp::Vector(items) => {
                for item in items {
                    all.extend(item.walk());
                }
            }
            Sexp::Quoted(_, inner) => all.extend(inner.walk()),
            Sexp::Str(_) | Sexp::Atom(_) => {}
        }
        all
    }

    /// The value after key `key` in a property list (`(:a 1 :b 2)` or `(a 1 b 2)`).
    fn property(&self, key: &str) -> Option<&Sexp> {
        self.items()
            .chunks(2)
            .find(|pair| pair[0].atom() == Some(key))
            .and_then(|pair| pair.get(1))
    }
}

/// Reads every top-level datum of `text`; an error names the line.
fn read_elisp(text: &str) -> Result<Vec<Sexp>, String> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        at: 0,
    };
    let mut forms = Vec::new();
    loop {
        reader.skip_blanks();
        if reader.at == reader.chars.len() {
            return Ok(forms);
        }
        forms.push(reader.datum()?);
    }
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn line(&self) -> usize {
        1 + self.chars[..self.at].iter().filter(|&&c| c == '\n').count()
    }

    fn error(&self, message: &str) -> String {
        format!("line {}: {message}", self.line())
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.at += 1;
                }
            } else if c.is_whitespace() {
                self.at += 1;
            } else {
                return;
            }
        }
    }

    fn datum(&mut self) -> Result<Sexp, String> {
        self.skip_blanks();
        let Some(c) = self.peek() else {
            return Err(self.error("unexpected end of file: a form is not closed"));
        };
        match c {
            '(' | '[' => {
                let close = if c == '(' { ')' } else { ']' };
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_blanks();
                    match self.peek() {
                        None => return Err(self.error(&format!("`{c}` is never closed"))),
                        Some(found) if found == close => {
                            self.at += 1;
                            break;
                        }
                        Some(found @ (')' | ']')) => {
                            return Err(self.error(&format!("`{found}` closes a `{c}`")));
                        }
                        Some(_) => items.push(self.datum()?),
                    }
                }
                Ok(if c == '(' {
                    Sexp::List(items)
                } else {
                    Sexp::Vector(items)
                })
            }
            ')' | ']' => Err(self.error(&format!("`{c}` closes nothing"))),
            '"' => self.string(),
            '\'' | '`' => {
                self.at += 1;
                let prefix = if c == '\'' { "'" } else { "`" };
                Ok(Sexp::Quoted(prefix, Box::new(self.datum()?)))
            }
            ',' => {
                self.at += 1;
                let prefix = if self.peek() == Some('@') {
                    self.at += 1;
                    ",@"
                } else {
                    ","
                };
                Ok(Sexp::Quoted(prefix, Box::new(self.datum()?)))
            }
            '#' if self.chars.get(self.at + 1) == Some(&'\'') => {
                self.at += 2;
                Ok(Sexp::Quoted("#'", Box::new(self.datum()?)))
            }
            '?' => {
                // A character: `?x`, `?\n`, `?\"`.
                let start = self.at;
                self.at += 1;
                if self.peek() == Some('\\') {
                    self.at += 1;
                }
                if self.peek().is_none() {
                    return Err(self.error("a character literal has no character"));
                }
                self.at += 1;
                Ok(Sexp::Atom(self.chars[start..self.at].iter().collect()))
            }
            _ => {
                let start = self.at;
                while let Some(c) = self.peek() {
                    if c.is_whitespace() || "()[]\";'`,".contains(c) {
                        break;
                    }
                    self.at += if c == '\\' { 2 } else { 1 };
                }
                let end = self.at.min(self.chars.len());
                Ok(Sexp::Atom(self.chars[start..end].iter().collect()))
            }
        }
    }

    fn string(&mut self) -> Result<Sexp, String> {
        let line = self.line();
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(format!("line {line}: a string is never closed")),
                Some('"') => {
                    self.at += 1;
                    return Ok(Sexp::Str(text));
                }
                Some('\\') => {
                    let escaped = self
                        .chars
                        .get(self.at + 1)
                        .copied()
                        .ok_or_else(|| self.error("a string ends with `\\`"))?;
                    text.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    self.at += 2;
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

fn emacs_forms() -> Vec<Sexp> {
    read_elisp(&workspace_file("editors/emacs/vitte.el"))
        .unwrap_or_else(|error| panic!("editors/emacs/vitte.el: {error}"))
}

/// The value of `(defconst NAME '("a" "b" …) …)` as strings.
fn string_constant<'a>(forms: &'a [Sexp], name: &str) -> Vec<&'a str> {
    let form = forms
        .iter()
        .find(|form| {
            form.is_call("defconst") && form.items().get(1).and_then(Sexp::atom) == Some(name)
        })
        .unwrap_or_else(|| panic!("no (defconst {name} …)"));
    form.items()[2]
        .unquoted()
        .items()
        .iter()
        .map(|item| {
            item.string()
                .unwrap_or_else(|| panic!("{name} holds {item:?}"))
        })
        .collect()
}

/// The body of `(with-eval-after-load 'FEATURE …)`.
fn after_load<'a>(forms: &'a [Sexp], feature: &str) -> &'a [Sexp] {
    forms
        .iter()
        .find(|form| {
            form.is_call("with-eval-after-load")
                && form.items().get(1).map(Sexp::unquoted).and_then(Sexp::atom) == Some(feature)
        })
        .map(|form| &form.items()[2..])
        .unwrap_or_else(|| panic!("no (with-eval-after-load '{feature} …)"))
}

#[test]
fn the_reader_finds_unbalanced_forms() {
    assert!(read_elisp("(a (b)").unwrap_err().contains("never closed"));
    assert!(read_elisp("(a))").unwrap_err().contains("closes nothing"));
    assert!(read_elisp("(a ]").unwrap_err().contains("closes a `(`"));
    assert!(
        read_elisp("(a \"b)")
            .unwrap_err()
            .contains("string is never closed")
    );
    let forms = read_elisp("; comment\n(a ?\\) \"x\\\"y\" '(b . c) [d]) #'e").unwrap();
    assert_eq!(forms.len(), 2);
    assert_eq!(forms[0].items()[1], Sexp::Atom("?\\)".to_owned()));
    assert_eq!(forms[0].items()[2], Sexp::Str("x\"y".to_owned()));
}

#[test]
fn emacs_file_is_balanced_lexical_and_provides_vitte() {
    let text = workspace_file("editors/emacs/vitte.el");
    assert!(
        text.lines()
            .next()
            .unwrap_or("")
            .contains("lexical-binding: t"),
        "the first line turns lexical binding on"
    );
    let forms = emacs_forms();
    let last = forms.last().expect("forms");
    assert!(
        last.is_call("provide"),
        "the file ends with (provide 'vitte)"
    );
    assert_eq!(last.items()[1].unquoted().atom(), Some("vitte"));
}

#[test]
fn emacs_mode_is_for_vit_files_with_the_compilers_keywords_and_builtins() {
    let forms = emacs_forms();
    let mode = forms
        .iter()
        .find(|form| form.is_call("define-derived-mode"))
        .expect("a define-derived-mode");
    assert_eq!(mode.items()[1].atom(), Some("vitte-mode"));
    assert_eq!(mode.items()[2].atom(), Some("prog-mode"));
    let auto_mode = forms
        .iter()
        .find(|form| {
            form.is_call("add-to-list")
                && form.items()[1].unquoted().atom() == Some("auto-mode-alist")
        })
        .expect("an auto-mode-alist entry");
    let entry = auto_mode.items()[2].unquoted().items();
    assert_eq!(entry[0].string(), Some("\\.vit\\'"));
    assert_eq!(entry[2].atom(), Some("vitte-mode"));

    let keywords: Vec<&str> = KEYWORDS.iter().map(|(word, _)| *word).collect();
    assert_eq!(string_constant(&forms, "vitte-keywords"), keywords);
    let builtins: Vec<&str> = Builtin::ALL.iter().map(|builtin| builtin.name()).collect();
    assert_eq!(string_constant(&forms, "vitte-builtins"), builtins);
}

#[test]
fn emacs_eglot_starts_vitte_lsp() {
    let forms = emacs_forms();
    let registration = after_load(&forms, "eglot")
        .iter()
        .find(|form| form.is_call("add-to-list"))
        .expect("(add-to-list 'eglot-server-programs …)");
    assert_eq!(
        registration.items()[1].unquoted().atom(),
        Some("eglot-server-programs")
    );
    let entry = registration.items()[2].unquoted().items();
    assert_eq!(entry[0].atom(), Some("vitte-mode"));
    assert_eq!(entry[1].atom(), Some("."));
    let contact = entry[2].atom().expect("a contact function");
    let function = forms
        .iter()
        .find(|form| form.is_call("defun") && form.items()[1].atom() == Some(contact))
        .unwrap_or_else(|| panic!("{contact} is not defined"));
    let body = function.items().last().unwrap();
    assert!(body.is_call("list"), "{contact} gives a list");
    assert_eq!(body.items()[1].atom(), Some("vitte-lsp-program"));
    assert_eq!(body.items()[2].string(), Some("--stdio"));
}

/// The symbol keys dape reads in a configuration (the docstring of `dape-configs`).
const DAPE_KEYS: &[&str] = &[
    "fn",
    "ensure",
    "command",
    "command-args",
    "command-cwd",
    "command-env",
    "command-insert-stderr",
    "prefix-local",
    "prefix-remote",
    "host",
    "port",
    "modes",
    "compile",
    "defer-launch-attach",
];

/// Checks the keys of a property list of a debug configuration: `:type`, `:request`, `:name` and
/// launch arguments as keywords, `symbol_keys` as plain symbols.
fn check_configuration_keys(configuration: &[Sexp], symbol_keys: &[&str], what: &str) {
    for pair in configuration.chunks(2) {
        let key = pair[0]
            .atom()
            .unwrap_or_else(|| panic!("{what}: key {:?}", pair[0]));
        assert_eq!(pair.len(), 2, "{what}: {key} has no value");
        match key.strip_prefix(':') {
            Some(field) => assert!(
                ["type", "request", "name"].contains(&field) || is_launch_argument(field),
                "{what}: vitte-dap accepts no `{field}`"
            ),
            None => assert!(symbol_keys.contains(&key), "{what}: unknown key `{key}`"),
        }
    }
}

#[test]
fn emacs_dape_launches_vitte_dap_with_arguments_it_accepts() {
    let forms = emacs_forms();
    let registration = after_load(&forms, "dape")
        .iter()
        .find(|form| form.is_call("add-to-list"))
        .expect("(add-to-list 'dape-configs …)");
    assert_eq!(
        registration.items()[1].unquoted().atom(),
        Some("dape-configs")
    );
    let config = registration.items()[2].unquoted().items();
    assert_eq!(config[0].atom(), Some("vitte"));
    let plist = Sexp::List(config[1..].to_vec());
    check_configuration_keys(plist.items(), DAPE_KEYS, "dape");
    assert_eq!(
        plist.property("command").and_then(Sexp::atom),
        Some("vitte-dap-program")
    );
    let args: Vec<_> = plist
        .property("command-args")
        .unwrap()
        .items()
        .iter()
        .filter_map(Sexp::string)
        .collect();
    assert_eq!(args, ["--stdio"]);
    assert_eq!(
        plist.property(":type").and_then(Sexp::string),
        Some("vitte")
    );
    assert_eq!(
        plist.property(":request").and_then(Sexp::string),
        Some("launch")
    );
    assert!(
        plist.property(":program").is_some(),
        "dape debugs a program"
    );
    let modes = plist.property("modes").unwrap().items();
    assert_eq!(modes.first().and_then(Sexp::atom), Some("vitte-mode"));
}

#[test]
fn emacs_dap_mode_registers_a_provider_and_templates() {
    let forms = emacs_forms();
    let body = after_load(&forms, "dap-mode");
    let provider = body
        .iter()
        .find(|form| form.is_call("dap-register-debug-provider"))
        .expect("(dap-register-debug-provider \"vitte\" …)");
    assert_eq!(provider.items()[1].string(), Some("vitte"));
    let function = provider.items()[2]
        .unquoted()
        .atom()
        .expect("a provider function");
    let defun = forms
        .iter()
        .find(|form| form.is_call("defun") && form.items()[1].atom() == Some(function))
        .unwrap_or_else(|| panic!("{function} is not defined"));
    let server_path = defun
        .walk()
        .into_iter()
        .find(|form| {
            form.is_call("plist-put")
                && form.items().get(2).and_then(Sexp::atom) == Some(":dap-server-path")
        })
        .expect("the provider sets :dap-server-path");
    let command = server_path.items()[3].items();
    assert_eq!(command[1].atom(), Some("vitte-dap-program"));
    assert_eq!(command[2].string(), Some("--stdio"));

    let templates: Vec<_> = body
        .iter()
        .filter(|form| form.is_call("dap-register-debug-template"))
        .collect();
    assert!(!templates.is_empty(), "no dap-mode template");
    for template in templates {
        let title = template.items()[1].string().expect("a template title");
        let configuration = &template.items()[2];
        assert!(configuration.is_call("list"), "{title}");
        let plist = Sexp::List(configuration.items()[1..].to_vec());
        check_configuration_keys(plist.items(), &[], title);
        assert_eq!(
            plist.property(":type").and_then(Sexp::string),
            Some("vitte"),
            "{title}"
        );
        assert_eq!(
            plist.property(":request").and_then(Sexp::string),
            Some("launch"),
            "{title}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The VS Code extension's grammar and snippets

/// Every word (run of identifier characters) in the regular expressions of the TextMate grammar.
fn grammar_words() -> BTreeSet<String> {
    let grammar: serde_json::Value = serde_json::from_str(&workspace_file(
        "vscode-extension/syntaxes/vitte.tmLanguage.json",
    ))
    .expect("the grammar is JSON");
    let mut patterns = Vec::new();
    let mut pending = vec![&grammar];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::Object(object) => {
                for (key, inner) in object {
                    if ["match", "begin", "end"].contains(&key.as_str()) {
                        patterns.extend(inner.as_str());
                    } else {
                        pending.push(inner);
                    }
                }
            }
            serde_json::Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    patterns
        .iter()
        .flat_map(|pattern| pattern.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_grammar_names_every_keyword_and_builtin_of_the_compiler() {
    let words = grammar_words();
    for (keyword, _) in KEYWORDS {
        assert!(
            words.contains(*keyword),
            "the grammar does not know keyword `{keyword}`"
        );
    }
    for builtin in Builtin::ALL {
        assert!(
            words.contains(builtin.name()),
            "the grammar does not know built-in `{}`",
            builtin.name()
        );
    }
}

/// A snippet body with each placeholder (`$1`, `${2:text}`, `${3}`) replaced by its default text.
fn expand_snippet(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(index) = rest.find('$') {
        out.push_str(&rest[..index]);
        rest = &rest[index + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let close = inner.find('}').expect("a placeholder is closed");
            let placeholder = &inner[..close];
            out.push_str(placeholder.split_once(':').map_or("", |(_, text)| text));
            rest = &inner[close + 1..];
        } else {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn every_snippet_parses_once_its_placeholders_are_filled_in() {
    assert_eq!(expand_snippet("let ${1:x} = ${0:1};$0"), "let x = 1;");
    assert_eq!(expand_snippet("f(${3});\t$12"), "f();\t");
    let snippets: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&workspace_file("vscode-extension/snippets/vitte.json"))
            .expect("the snippets are a JSON object");
    assert!(snippets.len() >= 10);
    let items = [
        "proc", "fn", "form", "struct", "pick", "enum", "const", "use", "space",
    ];
    for (name, snippet) in &snippets {
        let lines: Vec<&str> = snippet["body"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: body is not an array"))
            .iter()
            .map(|line| line.as_str().expect("a body line is a string"))
            .collect();
        let code = expand_snippet(&lines.join("\n"));
        let first_word = code.split_whitespace().next().unwrap_or_default();
        let program = if items.contains(&first_word) {
            code.clone()
        } else {
            format!("proc main() {{\n{code}\n}}\n")
        };
        let (_, diagnostics) = parse_file(FileId(0), &program);
        let messages: Vec<_> = diagnostics
            .iter()
            .map(|diagnostic| &diagnostic.message)
            .collect();
        assert!(
            messages.is_empty(),
            "snippet {name:?} does not parse:\n{program}\n{messages:?}"
        );
    }
}
