//! Compiler diagnostics: what went wrong, where, and how it is shown to a person
//! (`path:line:col: error: message`, then the source line and a caret under the column).

use crate::source::{SourceMap, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The program cannot be compiled.
    Error,
    /// Worth a look; compilation continues.
    Warning,
}

/// One message about the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where (a span in one file).
    pub span: Span,
    /// What happened; lower-case start, no final period.
    pub message: String,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
        }
    }

    /// Renders `path:line:col: error: message`, the source line and a caret line.
    pub fn render(&self, sources: &SourceMap) -> String {
        let file = sources.get(self.span.file);
        let (line, col) = file.line_col(self.span.start);
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let text = file.line_text(line);
        let (_, end_col) = file.line_col(self.span.end.max(self.span.start));
        let (end_line, _) = file.line_col(self.span.end.max(self.span.start));
        let width = if end_line == line && end_col > col {
            end_col - col
        } else {
            1
        };
        let gutter = line.to_string();
        let pad = " ".repeat(gutter.len());
        let indent: String = text
            .chars()
            .take(col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{path}:{line}:{col}: {label}: {message}\n{pad} |\n{gutter} | {text}\n{pad} | {indent}{carets}\n",
            path = file.path,
            message = self.message,
            carets = "^".repeat(width as usize),
        )
    }
}

/// Renders every diagnostic, in order.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    diagnostics.iter().map(|d| d.render(sources)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let mut sources = SourceMap::new();
        let file = sources.add("src/a.vit", "proc main() {\n    let x = ;\n}\n");
        let diagnostic = Diagnostic::error(Span::new(file, 26, 27), "expected an expression");
        assert_eq!(
            diagnostic.render(&sources),
            "src/a.vit:2:13: error: expected an expression\n  |\n2 |     let x = ;\n  |             ^\n"
        );
    }
}
