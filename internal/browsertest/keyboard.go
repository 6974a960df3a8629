package browsertest

import (
	"context"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusedJS describes document.activeElement: its tag name in lower case and
// its text, the first of aria-label, visible text, value and title. When
// nothing is focused the tag is "body" and the text empty.
const focusedJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) {
		return {tag: "body", text: ""};
	}
	const text = e.getAttribute("aria-label") || e.innerText || e.value || e.getAttribute("title") || "";
	return {tag: e.tagName.toLowerCase(), text: text.replace(/\s+/g, " ").trim()};
})()`

// FocusedElement returns the lower-case tag name and the text of the element
// that has the keyboard focus in the tab ctx: its aria-label, else its visible
// text, else its value, else its title, with white space collapsed. With
// nothing focused it returns "body" and "".
func (b *Browser) FocusedElement(ctx context.Context) (tag, text string, err error) {
	el, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Tag  string `json:"tag"`
		Text string `json:"text"`
	}](focusedJS))
	if err != nil {
		return "", "", err
	}
	return el.Tag, el.Text, nil
}

// PressTab presses the Tab key once in the tab ctx, as a keyboard user moving
// to the next focusable element.
func (b *Browser) PressTab(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab))
}

// PressShiftTab presses Shift+Tab once in the tab ctx, moving the focus back.
func (b *Browser) PressShiftTab(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
}
