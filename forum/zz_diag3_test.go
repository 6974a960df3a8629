package forum

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestZZFuzzTime(t *testing.T) {
	toks := []string{">", "> ", "- ", "1. ", "*", "_", "~", "~~", "**", "[", "]", "](", "(", ")", "!", "`", "```", "<", "<a ", "&", "&#", "#", "|", "-|", "\n", " ", "a", "é", "www.", "http://", "\\", "\"", "'", ":", "    ", "\n\n", "<!--", "-->", "[x]", "]:", "]: ", "<http://", "a@b.c", "=", "---", ">", "[^", "\t", "* ", "+ ", "1) ", "<div>", "</div>", "<?", "<![CDATA[", "]]>", "'", "(a", "\"a", "<b>", "x_"}
	type res struct {
		d   time.Duration
		src string
		err error
	}
	var worst []res
	rng := rand.New(rand.NewSource(1))
	deadline := time.Now().Add(150 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		n++
		k := 1 + rng.Intn(4)
		set := make([]string, k)
		for i := range set {
			set[i] = toks[rng.Intn(len(toks))]
		}
		var b strings.Builder
		// sometimes a periodic pattern, sometimes random
		if rng.Intn(2) == 0 {
			unit := ""
			for i := 0; i < 1+rng.Intn(5); i++ {
				unit += set[rng.Intn(k)]
			}
			for b.Len()+len(unit) < 32000 {
				b.WriteString(unit)
			}
		} else {
			for b.Len() < 31990 {
				b.WriteString(set[rng.Intn(k)])
			}
		}
		src := b.String()
		start := time.Now()
		_, err := RenderMarkdown(src)
		d := time.Since(start)
		worst = append(worst, res{d, src, err})
		// keep top 15
		for i := len(worst) - 1; i > 0 && worst[i].d > worst[i-1].d; i-- {
			worst[i], worst[i-1] = worst[i-1], worst[i]
		}
		if len(worst) > 15 {
			worst = worst[:15]
		}
	}
	fmt.Println("runs", n)
	for _, w := range worst {
		fmt.Printf("%8.1fms err=%v %q\n", float64(w.d.Microseconds())/1000, w.err != nil, w.src[:min(80, len(w.src))])
	}
}
