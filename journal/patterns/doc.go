// Package patterns finds patterns in day-level series, such as the mean
// score of one emotion per calendar day, and says how sure it is.
//
// [Detect] makes up to three tests per series and controls the false
// discovery rate across all of them together (Benjamini & Hochberg 1995 by
// default, Benjamini & Yekutieli 2001 on request):
//
//   - a level shift: the split with the largest standardized mean
//     difference, its p-value from shuffling 14-day blocks (so that
//     day-to-day autocorrelation does not pass for a change);
//   - a weekly cycle: one weekday's mean against the other days', its
//     p-value from rotating each week by a random number of days;
//   - an unusual day: the day farthest from the median of its neighbours,
//     judged against a robust (MAD) scale with Student's t and Šidák's
//     correction for the number of days looked at.
//
// The shift test was chosen over CUSUM (Page 1954) and Bayesian online
// change-point detection (Adams & MacKay 2007) by measuring all three on
// synthetic journals: see docs/insights-detectors.md and
// TestCompareDetectors. Days without entries are never read as zero; NaN and
// infinite values count as days without entries. No claim rests on fewer
// than 14 days with entries on a side. [BenjaminiHochberg],
// [BenjaminiYekutieli] and [Lift] are exported for the journal's other
// statistics.
package patterns
