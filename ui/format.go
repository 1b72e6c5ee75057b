package ui

import "time"

// friendlyTime says when something happened the way a person would:
// "Today 09:41", "Yesterday 21:10", "Monday 18:02" within the week,
// "3 March 14:20" within the year, "3 March 2024" before that.
func friendlyTime(t, now time.Time) string {
	t = t.In(now.Location())
	day := func(x time.Time) time.Time { y, m, d := x.Date(); return time.Date(y, m, d, 0, 0, 0, 0, x.Location()) }
	days := int(day(now).Sub(day(t)).Hours()/24 + 0.5)
	switch {
	case days == 0:
		return "Today " + t.Format("15:04")
	case days == 1:
		return "Yesterday " + t.Format("15:04")
	case days > 1 && days < 7:
		return t.Format("Monday 15:04")
	case t.Year() == now.Year():
		return t.Format("2 January 15:04")
	default:
		return t.Format("2 January 2006")
	}
}
