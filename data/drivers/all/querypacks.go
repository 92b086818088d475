package all

import _ "github.com/msticgo/msticgo/querypacks" // embedded query packs (Security-Datasets)
