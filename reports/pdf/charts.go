package pdf

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-analyze/charts"
)

// barChart is a bar chart for the PDF: one bar per label, each bar
// coloured by its group (a severity, say), drawn by go-analyze/charts into
// a PNG. The chart's title and its numbers are also written as text beside
// it, so nothing is known only from pixels.
type barChart struct {
	labels []string
	values []float64
	// group names each bar's colour group; groups and colors give the
	// legend order and colours.
	group      []int
	groups     []string
	colors     []rgb
	horizontal bool
	// format renders a value on the axis and on the bar.
	format func(float64) string
	// widthMM and heightMM are the size on the page; the PNG is drawn at
	// chartPxPerMM so it stays sharp in print.
	widthMM, heightMM float64
	// extraPx widens the PNG by a few pixels (see doc.chart).
	extraPx int
}

const chartPxPerMM = 8.0 // about 200 dpi

// png renders the chart. Each colour group is a series holding its bars'
// values and zero elsewhere, stacked, which colours each bar by its group;
// zero labels are hidden.
func (c barChart) png() ([]byte, error) {
	w := int(math.Round(c.widthMM*chartPxPerMM)) + c.extraPx
	h := int(math.Round(c.heightMM * chartPxPerMM))
	fontSize := 2.9 * chartPxPerMM // about 8 pt on the page
	series := make([][]float64, len(c.groups))
	for g := range series {
		series[g] = make([]float64, len(c.values))
	}
	maxV := 0.0
	for i, v := range c.values {
		series[c.group[i]][i] = v
		maxV = math.Max(maxV, v)
	}
	seriesColors := make([]charts.Color, len(c.colors))
	for i, col := range c.colors {
		seriesColors[i] = charts.Color{R: uint8(col.r), G: uint8(col.g), B: uint8(col.b), A: 255}
	}
	grey := charts.Color{R: 90, G: 96, B: 104, A: 255}
	theme := charts.MakeTheme(charts.ThemeOption{
		BackgroundColor:    charts.ColorWhite,
		TextColor:          grey,
		AxisStrokeColor:    charts.Color{R: 160, G: 166, B: 174, A: 255},
		AxisSplitLineColor: charts.Color{R: 228, G: 231, B: 235, A: 255},
		SeriesColors:       seriesColors,
	})

	opt := charts.NewBarChartOptionWithData(series)
	opt.Theme = theme
	opt.Horizontal = c.horizontal
	opt.StackSeries = charts.Ptr(true)
	opt.Padding = charts.Box{Top: int(fontSize), Right: int(fontSize * 3), Bottom: int(fontSize / 2), Left: int(fontSize / 2), IsSet: true}
	opt.Legend.Show = charts.Ptr(false)
	labelFont := charts.FontStyle{FontSize: fontSize, FontColor: grey}
	opt.CategoryAxis = charts.CategoryAxisOption{
		Labels:         c.labels,
		LabelCount:     len(c.labels), // every bar keeps its label
		LabelFontStyle: labelFont,
	}
	// A fixed zero and a few round steps, so no axis floats and no
	// label is a fraction of a finding.
	top, steps := axis(maxV)
	opt.ValueAxis = []charts.ValueAxisOption{{
		Min:                 charts.Ptr(0.0),
		Max:                 charts.Ptr(top),
		LabelCount:          steps + 1,
		PreferNiceIntervals: charts.Ptr(false),
		LabelFontStyle:      labelFont,
		SplitLineShow:       charts.Ptr(true),
		ValueFormatter:      c.format,
	}}
	opt.ValueFormatter = c.format
	for i := range opt.SeriesList {
		opt.SeriesList[i].Label = charts.SeriesLabel{
			Show:      charts.Ptr(true),
			FontStyle: charts.FontStyle{FontSize: fontSize, FontColor: charts.Color{R: 33, G: 37, B: 41, A: 255}},
			LabelFormatter: func(_ int, _ string, v float64) (string, *charts.LabelStyle) {
				if v == 0 {
					return "", nil
				}
				return c.format(v), nil
			},
		}
	}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: w, Height: h, Theme: theme})
	if err := p.BarChart(opt); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return p.Bytes()
}

// axis picks the top of a value axis and its number of steps: the
// lowest top at least 5% above maxV made of 2 to 5 steps of 1, 2, 2.5 or 5
// times a power of ten, each step a whole number.
func axis(maxV float64) (top float64, steps int) {
	need := math.Max(maxV*1.05, 1)
	top = math.Inf(1)
	exp := math.Floor(math.Log10(need / 5))
	for e := exp - 1; e <= exp+1; e++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step := m * math.Pow(10, e)
			if step < 1 || step != math.Trunc(step) {
				continue
			}
			for _, n := range []int{4, 5, 3, 2} {
				if t := step * float64(n); t >= need && t < top {
					top, steps = t, n
				}
			}
		}
	}
	return top, steps
}

// formatCount writes a count on a chart: 940, 4,900, 27.4k, 1.2M;
// short enough that labels of neighbouring bars do not run together.
func formatCount(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(strconv.FormatFloat(v/1e6, 'f', 1, 64), ".0") + "M"
	case v >= 1e4:
		return strings.TrimSuffix(strconv.FormatFloat(v/1e3, 'f', 1, 64), ".0") + "k"
	}
	return thousands(int64(math.Round(v)))
}
