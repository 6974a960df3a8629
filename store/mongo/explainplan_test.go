package mongo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Explain outputs in the form MongoDB 8.0 gives them (queryPlanner
// verbosity), for the plan walker of explain_test.go: the classic engine's
// find, an aggregate count run by the slot-based engine (explainVersion 2,
// queryPlan beside slotBasedPlan), an aggregate with a $cursor stage, a
// sharded cluster's. Rejected plans with a SORT must not count.

// explainIndexed is a listing read from threads_listing_v2: LIMIT, FETCH,
// IXSCAN; a rejected plan sorts.
const explainIndexed = `{
  "explainVersion": "1",
  "queryPlanner": {
    "namespace": "coterforum.threads",
    "parsedQuery": {"status": {"$eq": "published"}},
    "indexFilterSet": false,
    "planCacheShapeHash": "6E0D6672",
    "planCacheKey": "A3C9E7B1",
    "optimizationTimeMillis": 0,
    "maxIndexedOrSolutionsReached": false,
    "maxIndexedAndSolutionsReached": false,
    "maxScansToExplodeReached": false,
    "prunedSimilarIndexes": false,
    "winningPlan": {
      "isCached": false,
      "stage": "LIMIT",
      "limitAmount": 20,
      "inputStage": {
        "stage": "FETCH",
        "inputStage": {
          "stage": "IXSCAN",
          "keyPattern": {"status": 1, "pinned": -1, "last_activity_at": -1, "_id": -1},
          "indexName": "threads_listing_v2",
          "isMultiKey": false,
          "multiKeyPaths": {"status": [], "pinned": [], "last_activity_at": [], "_id": []},
          "isUnique": false, "isSparse": false, "isPartial": false, "indexVersion": 2,
          "direction": "forward",
          "indexBounds": {"status": ["[\"published\", \"published\"]"], "pinned": ["[MaxKey, MinKey]"],
            "last_activity_at": ["[MaxKey, MinKey]"], "_id": ["[MaxKey, MinKey]"]}
        }
      }
    },
    "rejectedPlans": [{
      "isCached": false,
      "stage": "SORT",
      "sortPattern": {"pinned": -1, "last_activity_at": -1, "_id": -1},
      "memLimit": 104857600, "limitAmount": 20, "type": "simple",
      "inputStage": {"stage": "FETCH", "inputStage": {"stage": "IXSCAN", "keyPattern": {"status": 1, "last_activity_at": -1},
        "indexName": "status_activity", "direction": "forward", "indexBounds": {"status": ["[\"published\", \"published\"]"],
        "last_activity_at": ["[MaxKey, MinKey]"]}}}
    }]
  },
  "queryShapeHash": "2B6C4A3E5D1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B",
  "command": {"find": "threads", "filter": {"status": {"$in": ["published"]}},
    "sort": {"pinned": -1, "last_activity_at": -1, "_id": -1}, "limit": 20, "$db": "coterforum"},
  "serverInfo": {"host": "mongo-0", "port": 27017, "version": "8.0.4", "gitVersion": "bc35ab4305d9920d9d00ea6f9bcbc8f3e2a4c8e7"},
  "serverParameters": {"internalQueryFacetBufferSizeBytes": 104857600, "internalQueryMaxBlockingSortMemoryUsageBytes": 104857600},
  "ok": 1
}`

// explainSorted is the same listing on an index without the sort's
// tiebreakers: a blocking SORT above the index scan.
const explainSorted = `{
  "explainVersion": "1",
  "queryPlanner": {
    "namespace": "coterforum.threads",
    "parsedQuery": {"status": {"$eq": "published"}},
    "indexFilterSet": false,
    "winningPlan": {
      "isCached": false,
      "stage": "SORT",
      "sortPattern": {"pinned": -1, "last_activity_at": -1, "_id": -1},
      "memLimit": 104857600, "limitAmount": 20, "type": "simple",
      "inputStage": {
        "stage": "FETCH",
        "inputStage": {
          "stage": "IXSCAN",
          "keyPattern": {"status": 1, "last_activity_at": -1},
          "indexName": "status_activity",
          "isMultiKey": false, "direction": "forward",
          "indexBounds": {"status": ["[\"published\", \"published\"]"], "last_activity_at": ["[MaxKey, MinKey]"]}
        }
      }
    },
    "rejectedPlans": []
  },
  "command": {"find": "threads", "filter": {"status": {"$in": ["published"]}},
    "sort": {"pinned": -1, "last_activity_at": -1, "_id": -1}, "limit": 20, "$db": "coterforum"},
  "serverInfo": {"host": "mongo-0", "port": 27017, "version": "8.0.4"},
  "ok": 1
}`

// explainCollscan is a query no index serves.
const explainCollscan = `{
  "explainVersion": "1",
  "queryPlanner": {
    "namespace": "coterforum.posts",
    "winningPlan": {"isCached": false, "stage": "COLLSCAN", "filter": {"html": {"$eq": "x"}}, "direction": "forward"},
    "rejectedPlans": []
  },
  "ok": 1
}`

// explainMerged is a digest window of two days: one scan per day, merged
// in _id order, then fetched.
const explainMerged = `{
  "explainVersion": "1",
  "queryPlanner": {
    "namespace": "coterforum.posts",
    "winningPlan": {
      "isCached": false,
      "stage": "LIMIT",
      "limitAmount": 500,
      "inputStage": {"stage": "PROJECTION_SIMPLE", "transformBy": {"_id": 1, "html": 1}, "inputStage": {
        "stage": "FETCH",
        "inputStage": {
          "stage": "SORT_MERGE",
          "sortPattern": {"_id": 1},
          "inputStages": [
            {"stage": "IXSCAN", "keyPattern": {"status": 1, "published_day": 1, "_id": 1, "published_at": 1},
              "indexName": "posts_published_v1", "direction": "forward",
              "indexBounds": {"status": ["[\"published\", \"published\"]"], "published_day": ["[20530, 20530]"],
                "_id": ["[MinKey, MaxKey]"], "published_at": ["[new Date(1773907200000), new Date(1773993600000))"]}},
            {"stage": "IXSCAN", "keyPattern": {"status": 1, "published_day": 1, "_id": 1, "published_at": 1},
              "indexName": "posts_published_v1", "direction": "forward",
              "indexBounds": {"status": ["[\"published\", \"published\"]"], "published_day": ["[20531, 20531]"],
                "_id": ["[MinKey, MaxKey]"], "published_at": ["[new Date(1773907200000), new Date(1773993600000))"]}}
          ]
        }
      }}
    },
    "rejectedPlans": []
  },
  "ok": 1
}`

// explainCountSBE is CountDocuments' aggregate run by the slot-based
// engine: the plan under queryPlan, a COUNT_SCAN.
const explainCountSBE = `{
  "explainVersion": "2",
  "queryPlanner": {
    "namespace": "coterforum.posts",
    "parsedQuery": {"status": {"$eq": "pending"}},
    "winningPlan": {
      "isCached": false,
      "queryPlan": {
        "stage": "GROUP",
        "planNodeId": 3,
        "inputStage": {
          "stage": "COUNT_SCAN",
          "planNodeId": 1,
          "keyPattern": {"status": 1, "_id": 1},
          "indexName": "posts_status_v2",
          "isMultiKey": false,
          "isUnique": false, "isSparse": false, "isPartial": false, "indexVersion": 2,
          "indexBounds": {"startKey": {"status": "pending", "_id": {"$minKey": 1}}, "startKeyInclusive": true,
            "endKey": {"status": "pending", "_id": {"$maxKey": 1}}, "endKeyInclusive": true}
        }
      },
      "slotBasedPlan": {"slots": "$$RESULT=s9 env: { s2 = Nothing (SEARCH_META) }", "stages": "[3] project [s9 = newObj(\"_id\", s7, \"n\", s8)] \n[3] group [s7] [s8 = sum(1)] spillSlots[s10] mergingExprs[sum(s10)] \n[1] ixseek KS(...) KS(...) s5 none none none none [] @\"b7f6\" @\"posts_status_v2\" true "}
    },
    "rejectedPlans": []
  },
  "command": {"aggregate": "posts", "pipeline": [{"$match": {"status": "pending"}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}],
    "cursor": {}, "$db": "coterforum"},
  "serverInfo": {"host": "mongo-0", "port": 27017, "version": "8.0.4"},
  "ok": 1
}`

// explainCursorStage is an aggregate run by the classic engine: the plan
// in the $cursor stage, here a sort.
const explainCursorStage = `{
  "explainVersion": "1",
  "stages": [
    {"$cursor": {"queryPlanner": {
      "namespace": "coterforum.posts",
      "winningPlan": {"stage": "SORT", "sortPattern": {"created_at": -1},
        "inputStage": {"stage": "IXSCAN", "indexName": "posts_status_v2", "keyPattern": {"status": 1, "_id": 1}}},
      "rejectedPlans": []}}},
    {"$group": {"_id": {"$const": 1}, "n": {"$sum": {"$const": 1}}}}
  ],
  "ok": 1
}`

// explainExpress is a lookup by a unique index (MongoDB 8's express path).
const explainExpress = `{
  "explainVersion": "1",
  "queryPlanner": {
    "namespace": "coterforum.members",
    "winningPlan": {"isCached": false, "stage": "EXPRESS_IXSCAN", "keyPattern": "{ email: 1 }", "indexName": "members_email_v1"},
    "rejectedPlans": []
  },
  "ok": 1
}`

// explainSharded is a sharded cluster's: a shard's winning plan sorts.
const explainSharded = `{
  "queryPlanner": {
    "mongosPlannerVersion": 1,
    "winningPlan": {"stage": "SINGLE_SHARD", "shards": [{
      "shardName": "rs0",
      "explainVersion": "1",
      "namespace": "coterforum.threads",
      "winningPlan": {"stage": "SORT", "sortPattern": {"_id": -1},
        "inputStage": {"stage": "SHARDING_FILTER", "inputStage": {"stage": "IXSCAN", "indexName": "threads_listing_v2"}}},
      "rejectedPlans": []}]}
  },
  "ok": 1
}`

// TestPlanWalker checks the walker and the verdict on each sample.
func TestPlanWalker(t *testing.T) {
	for _, c := range []struct {
		name, explain string
		wantErr       string // "" for a good plan
		wantIndex     string
	}{
		{"index scan in order, rejected sort ignored", explainIndexed, "", "threads_listing_v2"},
		{"blocking sort", explainSorted, "SORT", "status_activity"},
		{"collection scan", explainCollscan, "COLLSCAN", ""},
		{"scans merged in order", explainMerged, "", "posts_published_v1"},
		{"count by the slot-based engine", explainCountSBE, "", "posts_status_v2"},
		{"aggregate's $cursor stage", explainCursorStage, "SORT", "posts_status_v2"},
		{"express index lookup", explainExpress, "", "members_email_v1"},
		{"shard's plan", explainSharded, "SORT", "threads_listing_v2"},
		{"no plan", `{"ok": 1}`, "no winning plan", ""},
		{"no index", `{"queryPlanner": {"winningPlan": {"stage": "EOF"}}}`, "no index scan", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out any
			if err := json.Unmarshal([]byte(c.explain), &out); err != nil {
				t.Fatal(err)
			}
			err := checkPlan(out)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("good plan refused: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want one about %s", err, c.wantErr)
			}
			if _, indexes := planStages(out); c.wantIndex != "" && !slices.Contains(indexes, c.wantIndex) {
				t.Fatalf("indexes %v, want %s", indexes, c.wantIndex)
			}
		})
	}
	var out any
	_ = json.Unmarshal([]byte(explainIndexed), &out)
	stages, _ := planStages(out)
	slices.Sort(stages)
	if want := []string{"FETCH", "IXSCAN", "LIMIT"}; !slices.Equal(stages, want) {
		t.Fatalf("stages %v, want %v (the rejected plan left out)", stages, want)
	}
}
