package tmpl

import (
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"
)

// stepsRef finds a reference to an earlier step's outcome in a pipeline.
var stepsRef = regexp.MustCompile(`(^|[^A-Za-z0-9_])\.steps\b`)

// Plan renders the template for a dry run, where earlier steps have not
// run: data holds placeholders for their outcomes (<steps.ID.stdout>).
// Whatever depends on an outcome is described, never decided: an if over a
// step reads <if steps.recheck.ok: passes | else: fails>, so a dry run
// never claims a result. Branches over params and the alert, which are
// known, are taken as a real run would take them.
func (t *Template) Plan(data map[string]any) (string, error) {
	if t.t == nil {
		return t.src, nil
	}
	if strings.Contains(t.src, "$") {
		// Variables span actions, which cannot be run one by one; render
		// whole, with the outcomes' placeholders.
		return t.Render(data)
	}
	var b strings.Builder
	if err := t.plan(&b, t.t.Tree.Root, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

func (t *Template) plan(b *strings.Builder, list *parse.ListNode, data map[string]any) error {
	if list == nil {
		return nil
	}
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			b.Write(n.Text)
		case *parse.IfNode:
			if stepsRef.MatchString(n.Pipe.String()) {
				then, err := t.planBranch(n.List, data)
				if err != nil {
					return err
				}
				b.WriteString("<if " + exprText(n.Pipe) + ": " + then)
				if n.ElseList != nil {
					otherwise, err := t.planBranch(n.ElseList, data)
					if err != nil {
						return err
					}
					b.WriteString(" | else: " + otherwise)
				}
				b.WriteString(">")
				continue
			}
			holds, err := t.snippet("{{if "+n.Pipe.String()+"}}1{{end}}", data)
			if err != nil {
				return err
			}
			branch := n.ElseList
			if holds == "1" {
				branch = n.List
			}
			if err := t.plan(b, branch, data); err != nil {
				return err
			}
		case *parse.RangeNode:
			if err := t.planBlock(b, "for each of", n.Pipe, n, data); err != nil {
				return err
			}
		case *parse.WithNode:
			if err := t.planBlock(b, "with", n.Pipe, n, data); err != nil {
				return err
			}
		default:
			s, err := t.snippet(n.String(), data)
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	}
	return nil
}

// planBranch plans one branch of an if that is not decided, trimmed: it
// is shown inside <if ...: ...>.
func (t *Template) planBranch(list *parse.ListNode, data map[string]any) (string, error) {
	var b strings.Builder
	err := t.plan(&b, list, data)
	return strings.TrimSpace(b.String()), err
}

// planBlock renders a range or with as a real run would, unless it is over
// a step's outcome: then it only says what it depends on.
func (t *Template) planBlock(b *strings.Builder, what string, pipe *parse.PipeNode, n parse.Node, data map[string]any) error {
	if stepsRef.MatchString(pipe.String()) {
		b.WriteString("<depends on " + what + " " + exprText(pipe) + ">")
		return nil
	}
	s, err := t.snippet(n.String(), data)
	b.WriteString(s)
	return err
}

// snippet renders one piece of the template on its own.
func (t *Template) snippet(src string, data map[string]any) (string, error) {
	p, err := template.New("").Option("missingkey=error").Funcs(funcs).Parse(src)
	if err != nil {
		return "", err
	}
	return (&Template{src: t.src, t: p}).Render(data)
}

// exprText writes a pipeline the way conditions are written elsewhere
// (steps.recheck.ok, not .steps.recheck.ok).
func exprText(p *parse.PipeNode) string {
	return strings.TrimPrefix(strings.ReplaceAll(" "+p.String(), " .", " "), " ")
}
