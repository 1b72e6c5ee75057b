// Package chart holds the charts of SAMO's Insights screen: Timeline
// (emotions over time as lines), Calendar (a year in pixels), Bars
// (weekday and hour-of-day patterns) and Mix (the emotion mix of a period),
// each a Fyne widget drawn from canvas primitives, plus Render and WritePNG,
// which paint any of them to a PNG through Fyne's software painter.
//
// The package takes plain data (times, floats, colours and names) and
// imports nothing else from SAMO; the ui package adapts the journal's
// aggregates into these types. Missing values are NaN, and every slice that
// is shorter than the others is read as if padded with NaN (or zero for
// counts), so odd input draws less, never panics.
//
// Colours for the seven emotion groups come from GroupColors (the
// Okabe–Ito palette, safe for colour-blind readers); axes, grid lines and
// text take the widget's current theme colours, so the charts read in light
// and dark themes alike. Every coloured mark has a name beside it in a
// legend, a label or a tooltip.
//
// Widgets must be used from the Fyne goroutine (wrap Set in fyne.Do when
// calling from elsewhere).
package chart
