"""The help screen: the flow, the leaderboard's columns, the verdict, the selection rule and
every screen's keys (read from the screens' bindings, so the list cannot drift from them)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# seqlen-tui

Chooses the **input sequence length** (lookback) of an LSTM for one series and saves it as
`<ASSET>_SL` in your settings file.

## The flow
1. **Choose** a CSV or Parquet file in the tree (Enter) or type its path (`ctrl+l` or `/`).
   Its summary, candidate lengths and ACF plots appear at once.
2. **Options** (`o`): asset name (it sets the settings key), value column, protocol,
   target, budget, epochs, seeds… A bad value is flagged under its field and blocks the run.
3. **Run** (`f5` or `ctrl+r`). The run screen shows the log, progress with ETA, the ACF of
   the raw and differenced series, the candidates and the leaderboard as models finish.
   `c` stops the run (nothing is written).
4. **Save**: when the run ends a dialog shows the chosen length; `y` writes it, `n` leaves the
   file untouched (`a` opens the dialog again).
5. **Review** (`f2`): stored runs; Enter opens one without recomputing. `e` exports its
   leaderboard (CSV, or Markdown for a `.md` name), `y` copies it as Markdown.

## The leaderboard
| column | meaning |
|---|---|
| model | **LSTM** at each candidate lag; **persistence** repeats the last value; **seasonal naive** repeats the value one period ago; **ridge AR** is a linear model on the same window; **XGB/RF direction** only guess up or down |
| lag | the sequence length (input window) |
| val MSE ± SE | error on the validation block, with its standard error: *this chooses* |
| test MSE | error on the later test block, never used to choose: *this reports* |
| skill | 1 − MSE / MSE of persistence on test: above 0 beats "repeat the last value" |
| MASE | test MAE / persistence's MAE on training: below 1 beats it (wide screens) |
| dir.acc | share of test steps where the predicted direction was right (0.5 is a coin) |
| PT p | Pesaran–Timmermann p-value that dir.acc beats chance (small: it does; wide screens) |
| DM p | one-sided Diebold–Mariano p-value that the row beats persistence on test (wide screens) |
| stab. | share of seeds (and folds) in which this lag scored best: near 1 is a stable choice |
| seeds | LSTMs averaged at this lag: contenders get more (the race); `2✗` left the race after 2 seeds, significantly worse than the leader |

## The selection rule
Every lag starts with 2 seeds; after each round a lag significantly worse than the leader
leaves the race and the others get one more seed (up to 8). A lag qualifies only if its LSTM
beats persistence on validation (a stepdown bootstrap test over the candidates). Among the
qualified, and never over a lag that beats it significantly: your own lags or a natural
period the ACF confirms (a day, a week, a year) first; else the shortest lag within one
standard error of the best that the series' AR structure suggests; else the best. If none
qualifies, the shortest candidate is returned and the **verdict** says plainly that no length
beat the last value: on prices this is the usual, honest answer.

## Keys
Everywhere: `ctrl+p` lists every command of the screen (themes: *ansi-dark*/*ansi-light*
suit limited terminals). Keys can be remapped in the settings file by binding id, e.g.
`"seqlen_tui": {"keymap": {"run": "f8"}}` (the ids are listed in the README).
"""


def keys_section(app_bindings) -> str:
    """One line per screen: each binding's key(s) and what it does, as the screens (and the
    app, whose ``app_bindings`` are passed in) declare them."""
    from .choose import ChooseScreen
    from .review import CompareScreen, ReviewScreen
    from .run import RunScreen

    lines = []
    for title, bindings in (("Anywhere", app_bindings), ("Files and options", ChooseScreen.BINDINGS),
                            ("Run", RunScreen.BINDINGS), ("Stored runs", ReviewScreen.BINDINGS),
                            ("Compare runs", CompareScreen.BINDINGS)):
        keys: dict[str, list[str]] = {}
        for binding in bindings:
            if binding.description and binding.action != "focus_next":
                keys.setdefault(binding.description, []).append(_key_name(binding.key))
        lines.append(f"- **{title}**: " + " · ".join(f"{'/'.join(f'`{k}`' for k in ks)} {what.lower()}"
                                                     for what, ks in keys.items()))
    return "\n".join(lines) + "\n"


def _key_name(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "escape": "esc"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="help_close"),
        Binding("q", "close", "Close", show=False, id="help_close_alt"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Markdown(HELP + keys_section(type(self.app).BINDINGS))

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "Help (escape closes)"
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
