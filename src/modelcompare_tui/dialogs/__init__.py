"""Modal dialogs, one module each. Every dialog is a typed ModalScreen that
returns its result with `dismiss` (frogmouth's pattern); the caller decides what
to do with it. Imported where they open, so the start screen does not pay for them.

- column_filter: the models table's column filter (FilterDialog)
- models_list: MODELS, the compared models (ModelsListDialog)
- select_models: `+`, add or remove compared models (SelectModelsDialog)
- help: `?`, the keys of the screen on show (HelpDialog)
- text: a text to read and select, a yes/no question (TextDialog, ConfirmDialog)
- paste_state: `p`, open a pasted state string (PasteStateDialog)
- cell_value: a diff cell's whole value (CellValueDialog)
- csv_saved: where the Values CSV went (CsvSavedDialog)
- exact_value: a Values cell's exact number (ExactValueDialog)
- zoom: a chart's iteration range (ZoomDialog)
- iteration: the Plots iteration picker (IterationDialog)
"""
