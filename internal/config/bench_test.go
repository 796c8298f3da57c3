package config

import "testing"

func BenchmarkLoadGood(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Load("testdata/conf.good.yml", goodEnv()); err != nil {
			b.Fatal(err)
		}
	}
}
