package chart

import "image/color"

// Group names of the seven Ekman groups, in the order SAMO lists them.
const (
	Joy      = "joy"
	Sadness  = "sadness"
	Anger    = "anger"
	Fear     = "fear"
	Disgust  = "disgust"
	Surprise = "surprise"
	Neutral  = "neutral"
)

// Groups returns the seven group names in display order.
func Groups() []string {
	return []string{Joy, Sadness, Anger, Fear, Disgust, Surprise, Neutral}
}

// GroupColors returns a fresh map from group name to its Okabe–Ito colour:
// joy #E69F00, sadness #0072B2, anger #D55E00, fear #CC79A7,
// disgust #009E73, surprise #56B4E9, neutral #999999.
// The caller may change the returned map freely.
func GroupColors() map[string]color.NRGBA {
	return map[string]color.NRGBA{
		Joy:      {R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF},
		Sadness:  {R: 0x00, G: 0x72, B: 0xB2, A: 0xFF},
		Anger:    {R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF},
		Fear:     {R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF},
		Disgust:  {R: 0x00, G: 0x9E, B: 0x73, A: 0xFF},
		Surprise: {R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF},
		Neutral:  {R: 0x99, G: 0x99, B: 0x99, A: 0xFF},
	}
}

// GroupColor returns the palette colour of a group, or the neutral grey for
// a name that is not one of the seven groups.
func GroupColor(name string) color.NRGBA {
	if c, ok := GroupColors()[name]; ok {
		return c
	}
	return color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xFF}
}
