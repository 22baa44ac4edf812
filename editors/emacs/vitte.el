;;; vitte.el --- Vitte: major mode, language server and debugger  -*- lexical-binding: t; -*-

;; Licensed under either of the Apache License, Version 2.0 or the MIT license, at your option.
;; Package-Requires: ((emacs "29.1"))

;;; Commentary:

;; Support for the Vitte language (.vit files):
;; - `vitte-mode': syntax colours (keywords, built-ins, types, strings, `//' and nested `/* */'
;;   comments), comment commands and indentation by brackets;
;; - eglot (built into Emacs 29) starts `vitte-lsp' for `vitte-mode' buffers;
;; - dape: the `vitte' configuration starts `vitte-dap --stdio' and debugs the current file;
;; - dap-mode: the `vitte' debug provider and two templates, for the same.
;;
;; Put this file on `load-path' and add (require 'vitte) to your init file.  The programs are found
;; on `exec-path'; set `vitte-lsp-program' and `vitte-dap-program' to use others.

;;; Code:

(defgroup vitte nil
  "The Vitte language."
  :group 'languages
  :prefix "vitte-")

(defcustom vitte-lsp-program "vitte-lsp"
  "The Vitte language server program, started by eglot."
  :type 'string)

(defcustom vitte-dap-program "vitte-dap"
  "The Vitte debug adapter program, started by dape and dap-mode."
  :type 'string)

(defcustom vitte-indent-offset 4
  "Columns of indentation per level of brackets in `vitte-mode'."
  :type 'integer
  :safe #'integerp)

(defconst vitte-keywords
  '("space" "use" "as" "export" "proc" "fn" "give" "return" "let" "mut" "set" "const"
    "form" "struct" "pick" "enum" "case" "match" "if" "elif" "else" "while" "loop" "for"
    "in" "break" "continue" "and" "or" "not" "true" "false" "null" "try" "catch" "throw"
    "spawn")
  "Every keyword of the Vitte language.")

(defconst vitte-builtins
  '("print" "eprint" "str" "len" "push" "pop" "fill" "int" "float" "to_fixed" "join"
    "split" "substr" "find" "keys" "contains" "get" "remove" "sqrt" "abs" "floor" "ceil"
    "pow" "min" "max" "clock" "now_ms" "args" "read_line" "read_file" "write_file" "env"
    "assert" "panic" "chan" "send" "recv" "yield_now" "sleep" "thread_id")
  "Every built-in function of the Vitte language.")

(defconst vitte-types
  '("int" "float" "bool" "string" "void" "i64" "f64" "Map" "Thread" "Chan")
  "The built-in type names of the Vitte language.")

(defconst vitte-font-lock-keywords
  `((,(regexp-opt '("true" "false" "null") 'symbols) . font-lock-constant-face)
    (,(concat "\\_<\\(?:proc\\|fn\\)\\_>[ \t]+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     1 font-lock-function-name-face)
    (,(concat "\\_<\\(?:form\\|struct\\|pick\\|enum\\)\\_>[ \t]+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     1 font-lock-type-face)
    (,(regexp-opt vitte-keywords 'symbols) . font-lock-keyword-face)
    (,(concat (regexp-opt vitte-builtins 'symbols) "[ \t]*(") 1 font-lock-builtin-face)
    (,(regexp-opt vitte-types 'symbols) . font-lock-type-face)
    ("\\_<[A-Z][A-Z0-9_]*[A-Z0-9]\\_>" . font-lock-constant-face)
    ("\\_<[A-Z][A-Za-z0-9_]*\\_>" . font-lock-type-face))
  "Highlighting of `vitte-mode': strings and comments come from the syntax table.")

(defvar vitte-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; `//' line comments and nestable `/* */' block comments.
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23n" table)
    (modify-syntax-entry ?\n "> b" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?' "." table)
    table)
  "Syntax table of `vitte-mode'.")

(defun vitte-indent-line ()
  "Indent the current line by `vitte-indent-offset' per enclosing bracket."
  (interactive)
  (let* ((depth (save-excursion
                  (back-to-indentation)
                  (let ((state (syntax-ppss)))
                    (if (nth 8 state)
                        nil
                      (- (car state) (if (looking-at-p "[]})]") 1 0))))))
         (column-in-text (- (current-column) (current-indentation))))
    (when depth
      (indent-line-to (* vitte-indent-offset (max depth 0)))
      (when (> column-in-text 0)
        (move-to-column (+ (current-indentation) column-in-text))))))

;;;###autoload
(define-derived-mode vitte-mode prog-mode "Vitte"
  "Major mode for Vitte source files (.vit)."
  :syntax-table vitte-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?://+\\|/\\*+\\)[ \t]*")
  (setq-local font-lock-defaults '(vitte-font-lock-keywords))
  (setq-local indent-line-function #'vitte-indent-line)
  (setq-local electric-indent-chars (append "{}()[]" electric-indent-chars)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.vit\\'" . vitte-mode))

(defun vitte-lsp-contact (&optional _interactive)
  "The command eglot runs for `vitte-mode': `vitte-lsp-program' with --stdio."
  (list vitte-lsp-program "--stdio"))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(vitte-mode . vitte-lsp-contact)))

(with-eval-after-load 'dape
  (add-to-list 'dape-configs
               '(vitte
                 modes (vitte-mode)
                 ensure dape-ensure-command
                 command vitte-dap-program
                 command-args ("--stdio")
                 command-cwd dape-command-cwd
                 :type "vitte"
                 :request "launch"
                 :program dape-buffer-default
                 :cwd dape-cwd
                 :args []
                 :stopOnEntry nil)))

(defun vitte-dap-provider (configuration)
  "Complete the dap-mode CONFIGURATION: the adapter, and the current file as program."
  (unless (plist-get configuration :program)
    (setq configuration (plist-put configuration :program (buffer-file-name))))
  (unless (plist-get configuration :cwd)
    (setq configuration (plist-put configuration :cwd default-directory)))
  (plist-put configuration :dap-server-path (list vitte-dap-program "--stdio")))

(with-eval-after-load 'dap-mode
  (dap-register-debug-provider "vitte" #'vitte-dap-provider)
  (dap-register-debug-template "Vitte: debug the current file"
                               (list :type "vitte"
                                     :request "launch"
                                     :name "Vitte: debug the current file"
                                     :stopOnEntry :json-false))
  (dap-register-debug-template "Vitte: debug the current file, stop on entry"
                               (list :type "vitte"
                                     :request "launch"
                                     :name "Vitte: debug the current file, stop on entry"
                                     :stopOnEntry t)))

(provide 'vitte)
;;; vitte.el ends here
