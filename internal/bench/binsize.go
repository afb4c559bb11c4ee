package bench

import (
	"cmp"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"slices"
	"strings"
)

// DepCost is what one module adds to a Go binary: the sizes of its
// symbols (code and data) as go tool nm -size reports them.
type DepCost struct {
	Module string
	Bytes  int64
}

// Names of the groups that are not a module of the build list.
const (
	StdlibGroup = "Go runtime and standard library"
	OtherGroup  = "type descriptors, itabs, strings (shared)"
)

// Modules lists the main module and the dependencies built into the Go
// binary at path (its embedded build information).
func Modules(path string) ([]string, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("build information of %s: %w", path, err)
	}
	mods := []string{info.Main.Path}
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		mods = append(mods, d.Path)
	}
	return mods, nil
}

// Symbol is a named piece of a binary's file: code or initialised data.
type Symbol struct {
	Name string
	Size int64
}

// FileSymbols lists the symbols of the ELF binary at path that take
// room in the file: code and data, not the zeroed memory (bss) a program
// only reserves when it runs.
func FileSymbols(path string) ([]Symbol, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("symbols of %s (built with -s?): %w", path, err)
	}
	out := make([]Symbol, 0, len(syms))
	for _, s := range syms {
		if s.Size == 0 || int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) || f.Sections[s.Section].Type == elf.SHT_NOBITS {
			continue
		}
		out = append(out, Symbol{Name: s.Name, Size: int64(s.Size)})
	}
	return out, nil
}

// DependencyCosts sums symbol sizes by the module each symbol's package
// belongs to (the longest module path that prefixes the package's),
// largest first, and returns the total.
func DependencyCosts(syms []Symbol, modules []string) ([]DepCost, int64) {
	sums := map[string]int64{}
	var total int64
	for _, s := range syms {
		sums[group(symbolPackage(s.Name), modules)] += s.Size
		total += s.Size
	}
	out := make([]DepCost, 0, len(sums))
	for m, b := range sums {
		out = append(out, DepCost{Module: m, Bytes: b})
	}
	slices.SortFunc(out, func(a, b DepCost) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Module, b.Module))
	})
	return out, total
}

// symbolPackage is the import path of the package a symbol belongs to:
// github.com/a/b/c.(*T).M → github.com/a/b/c; "" for the linker's own
// symbols (type:…, go:…).
func symbolPackage(name string) string {
	if strings.HasPrefix(name, "type:") || strings.HasPrefix(name, "go:") {
		return ""
	}
	// Generic instantiations name their type arguments in brackets:
	// the package is before them.
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

func group(pkg string, modules []string) string {
	if pkg == "" {
		return OtherGroup
	}
	best := ""
	for _, m := range modules {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	if best != "" {
		return best
	}
	if first, _, _ := strings.Cut(pkg, "/"); !strings.Contains(first, ".") {
		return StdlibGroup
	}
	return pkg
}
