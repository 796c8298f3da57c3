package store

import (
	"context"
	"testing"

	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// engine is one database the contract runs against.
type engine = storetest.Engine

func engines(tb testing.TB) []engine { return storetest.Engines(tb) }

// openStore opens dsn and closes the Store when the test ends.
func openStore(tb testing.TB, dsn string, opt Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn, opt)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestStore runs the store contract against every available engine.
func TestStore(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, engine)
	}{
		{"MigrationsIdempotent", testMigrationsIdempotent},
		{"ConcurrentOpenMigratesOnce", testConcurrentOpen},
		{"RegisterChecks", testRegisterChecks},
		{"States", testStates},
		{"ResultsRing", testResultsRing},
		{"Conditions", testConditions},
		{"Events", testEvents},
		{"BucketDeltas", testBucketDeltas},
		{"SumBucketsWindow", testSumBucketsWindow},
		{"BucketsOrdered", testBucketsOrdered},
		{"Timeline", testTimeline},
		{"Prune", testPrune},
		{"UnknownCheckRejected", testUnknownCheckRejected},
		{"Observe", testObserve},
		{"AlertsRoundTrip", testAlertsRoundTrip},
		{"FiredEntryInRow", testFiredEntryInRow},
		{"BackToFiring", testBackToFiring},
		{"FirstGroupInRow", testFirstGroupInRow},
		{"FirstGroupDown", testFirstGroupDown},
		{"FiredEntryDown", testFiredEntryDown},
		{"AlertRepeats", testAlertRepeats},
		{"AlertAnnotationsKept", testAlertAnnotationsKept},
		{"KeySharedBySuccessor", testKeySharedBySuccessor},
		{"AlertsFilter", testAlertsFilter},
		{"OpenAlertCounts", testOpenAlertCounts},
		{"NotificationsOutbox", testNotificationsOutbox},
		{"Silences", testSilences},
		{"SettingOnce", testSettingOnce},
		{"RunsRoundTrip", testRunsRoundTrip},
		{"StepsInPlace", testStepsInPlace},
		{"StepText", testStepText},
		{"SaveRunAndStep", testSaveRunAndStep},
		{"RunsFilter", testRunsFilter},
		{"CountRuns", testCountRuns},
		{"UnfinishedRuns", testUnfinishedRuns},
		{"Audit", testAudit},
		{"IncidentsRoundTrip", testIncidentsRoundTrip},
		{"IncidentText", testIncidentText},
		{"CreateIncidentAtomic", testCreateIncidentAtomic},
		{"UpdateIncident", testUpdateIncident},
		{"IncidentsFilter", testIncidentsFilter},
		{"IncidentsDefaultLimit", testIncidentsDefaultLimit},
		{"IncidentsByImpact", testIncidentsByImpact},
		{"IncidentTimeline", testIncidentTimeline},
		{"LinkAlerts", testLinkAlerts},
		{"ActionItems", testActionItems},
		{"Deploys", testDeploys},
		{"DeployVerification", testDeployVerification},
		{"SLOBuckets", testSLOBuckets},
		{"Sessions", testSessions},
		{"ReleasesRoundTrip", testReleasesRoundTrip},
		{"ReleasesFilterAndPrevious", testReleasesFilterAndPrevious},
		{"ReleaseStatus", testReleaseStatus},
		{"ReleaseVersionRace", testReleaseVersionRace},
		{"AlertsSearch", testAlertsSearch},
		{"Overrides", testOverrides},
		{"FeedSecrets", testFeedSecrets},
	}
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
			}
		})
	}
}
