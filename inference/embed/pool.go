package embed

// pooling turns a model's output for a batch into one vector per text.
type pooling int

const (
	// poolMean averages the token states under the attention mask, as
	// sentence-transformers' mean pooling does ([CLS] and [SEP] included).
	poolMean pooling = iota
	// poolCLS takes the state of the first token, [CLS].
	poolCLS
	// poolNone reads an output that is pooled already, [batch, dim].
	poolNone
)

// pool reduces out, the row-major output of a batch of n texts padded to
// width tokens with dim values per token (or per text, for poolNone), to n
// vectors. mask is the batch's attention mask, n × width, 1 for a token
// and 0 for padding.
func (p pooling) pool(out []float32, mask []int64, n, width, dim int) [][]float32 {
	vecs := make([][]float32, n)
	for i := range vecs {
		v := make([]float32, dim)
		vecs[i] = v
		switch p {
		case poolNone:
			copy(v, out[i*dim:(i+1)*dim])
		case poolCLS:
			copy(v, out[i*width*dim:i*width*dim+dim])
		case poolMean:
			// Sum in float64: a long text's states are not then rounded
			// away token by token.
			sum := make([]float64, dim)
			count := 0
			for j := range width {
				if mask[i*width+j] == 0 {
					continue
				}
				count++
				row := out[(i*width+j)*dim : (i*width+j+1)*dim]
				for k, x := range row {
					sum[k] += float64(x)
				}
			}
			for k := range v {
				v[k] = float32(sum[k] / float64(max(count, 1)))
			}
		}
	}
	return vecs
}
